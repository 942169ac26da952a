#include "fetch/outgoing_request.hpp"

#include <catch2/catch.hpp>

using asyncscrape::fetch::FetchRequest;
using asyncscrape::fetch::make_outgoing_request;
using asyncscrape::fetch::parse_target_url;
namespace http = boost::beast::http;

TEST_CASE("defaults fill what the user left out", "[request]") {
    FetchRequest request;
    request.url = "http://example.com:8080/path?q=1";
    const auto message = make_outgoing_request(request, *parse_target_url(request.url), "agent/1");
    CHECK(message.method() == http::verb::get);
    CHECK(message.target() == "/path?q=1");
    CHECK(message[http::field::host] == "example.com:8080");
    CHECK(message[http::field::user_agent] == "agent/1");
    CHECK(message[http::field::accept_encoding] == "gzip, deflate");
    CHECK(message.find(http::field::content_length) == message.end());
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
    CHECK(message.method_string() == "PATCH");
    CHECK(message[http::field::user_agent] == "mine");
    CHECK(message[http::field::accept_encoding] == "identity");
    CHECK(message.count("X-Two") == 2);
    CHECK(message[http::field::host] == "example.com");
    CHECK(message[http::field::content_length] == "5");
    CHECK(message.body() == "hello");
}
