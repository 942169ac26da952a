#include "fetch/outgoing_request.hpp"

#include <catch2/catch.hpp>

using asyncscrape::fetch::FetchRequest;
using asyncscrape::fetch::make_outgoing_request;
using asyncscrape::fetch::parse_target_url;

TEST_CASE("defaults fill what the user left out", "[request]") {
    FetchRequest request;
    request.url = "http://example.com:8080/path?q=1";
    const auto message = make_outgoing_request(request, *parse_target_url(request.url), "agent/1");
    CHECK(message.bytes ==
          "GET /path?q=1 HTTP/1.1\r\n"
          "Host: example.com:8080\r\n"
          "User-Agent: agent/1\r\n"
          "Accept-Encoding: gzip, deflate\r\n"
          "\r\n");
    CHECK_FALSE(message.head);
}

TEST_CASE("user headers win over defaults; the body gets its length", "[request]") {
    FetchRequest request;
    request.method = "PATCH";
    request.url = "https://example.com/";
    request.headers = {{"user-agent", "mine"},   {"Accept-Encoding", "identity"},
                       {"X-Two", "a"},           {"X-Two", "b"},
                       {"Host", "evil.example"}, {"Content-Length", "999"}};
    request.body = "hello";
    const auto message = make_outgoing_request(request, *parse_target_url(request.url), "agent/1");
    CHECK(message.bytes ==
          "PATCH / HTTP/1.1\r\n"
          "Host: example.com\r\n"
          "user-agent: mine\r\n"
          "Accept-Encoding: identity\r\n"
          "X-Two: a\r\n"
          "X-Two: b\r\n"
          "Content-Length: 5\r\n"
          "\r\n"
          "hello");
}

TEST_CASE("a HEAD is marked: its response has no body", "[request]") {
    FetchRequest request;
    request.method = "HEAD";
    request.url = "http://example.com/";
    const auto message = make_outgoing_request(request, *parse_target_url(request.url), "agent/1");
    CHECK(message.head);
    CHECK(message.bytes.starts_with("HEAD / HTTP/1.1\r\n"));
}

TEST_CASE("an empty body is still framed: Content-Length 0", "[request]") {
    FetchRequest request;
    request.method = "POST";
    request.url = "http://example.com/";
    request.body = "";
    const auto message = make_outgoing_request(request, *parse_target_url(request.url), "agent/1");
    CHECK(message.bytes.ends_with("Content-Length: 0\r\n\r\n"));
}
