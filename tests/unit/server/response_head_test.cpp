#include "server/response_head.hpp"

#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

using asyncscrape::server::serialize_head;
namespace http = boost::beast::http;

namespace {

// The bytes Beast's own serializer writes for the head.
std::string beast_head(const http::response_header<>& head) {
    std::ostringstream out;
    out << head;
    return out.str();
}

}  // namespace

TEST_CASE("a response head is serialised as Beast writes it") {
    http::response<http::string_body> response(http::status::ok, 11);
    response.set(http::field::content_type, "application/json");
    response.set(http::field::server, "asyncscrape");
    response.insert("X-Request-Id", "abc");
    response.body() = R"({"status":"completed"})";
    response.prepare_payload();
    const std::string head = serialize_head(response.base());
    CHECK(head ==
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nServer: asyncscrape\r\n"
          "X-Request-Id: abc\r\nContent-Length: 22\r\n\r\n");
    CHECK(head == beast_head(response.base()));
}

TEST_CASE("a response head keeps its own reason, its version, and a status without a reason") {
    http::response<http::string_body> custom(http::status::too_many_requests, 10);
    custom.reason("Slow Down");
    custom.keep_alive(false);
    CHECK(serialize_head(custom.base()).starts_with("HTTP/1.0 429 Slow Down\r\n"));
    CHECK(serialize_head(custom.base()) == beast_head(custom.base()));

    http::response<http::string_body> bare(http::status::no_content, 11);
    CHECK(serialize_head(bare.base()) == "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK(serialize_head(bare.base()) == beast_head(bare.base()));
}
