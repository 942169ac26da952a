#include "api/request_body.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using namespace asyncscrape;
using namespace asyncscrape::api;
namespace http = boost::beast::http;

namespace {

server::HttpRequest post(std::string body, std::optional<std::string> content_type) {
    server::HttpRequest request(http::verb::post, "/v1/async/collections/x/run", 11);
    if (content_type) {
        request.set(http::field::content_type, *content_type);
    }
    request.body() = std::move(body);
    request.prepare_payload();
    return request;
}

std::string detail_of(const server::Reply& reply) {
    return std::string(boost::json::parse(reply.response.body()).at("detail").as_string());
}

}  // namespace

TEST_CASE("a body is JSON unless its Content-Type says otherwise") {
    CHECK_FALSE(refuse_non_json(post("{}", std::nullopt)));
    CHECK_FALSE(refuse_non_json(post("{}", "application/json; charset=utf-8")));
    CHECK_FALSE(refuse_non_json(post("{}", "application/problem+json")));

    const auto refused = refuse_non_json(post("{}", "text/plain"));
    REQUIRE(refused);
    CHECK(refused->response.result() == http::status::unsupported_media_type);
    CHECK(refused->response[http::field::content_type] == "application/json");
    CHECK(detail_of(*refused) == "Content-Type: must be application/json");
}

TEST_CASE("POSTs without input take an empty body of any type or an empty object") {
    CHECK_FALSE(refuse_non_empty(post("", std::nullopt)));
    CHECK_FALSE(refuse_non_empty(post("", "text/plain")));
    CHECK_FALSE(refuse_non_empty(post("{}", std::nullopt)));
    CHECK_FALSE(refuse_non_empty(post(" { } ", "application/json")));
}

TEST_CASE("POSTs without input refuse anything else, saying why") {
    struct Case {
        std::string body;
        std::optional<std::string> content_type;
        http::status status;
        std::string detail_start;
    };
    const Case cases[] = {
        {R"({"callback_url": "https://x.com/"})", std::nullopt, http::status::bad_request,
         "callback_url: unknown field"},
        {"[]", std::nullopt, http::status::bad_request, "body: must be a JSON object"},
        {"null", std::nullopt, http::status::bad_request, "body: must be a JSON object"},
        {"{", std::nullopt, http::status::bad_request, "body: invalid JSON"},
        {"{}", "text/plain", http::status::unsupported_media_type, "Content-Type"},
    };
    for (const Case& c : cases) {
        INFO(c.body);
        const auto refused = refuse_non_empty(post(c.body, c.content_type));
        REQUIRE(refused);
        CHECK(refused->response.result() == c.status);
        CHECK(detail_of(*refused).starts_with(c.detail_start));
    }
}
