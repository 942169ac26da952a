// Malformed and unexpected input: every one answers 4xx with a detail naming what is wrong, and
// the server keeps serving.
#include "integration/api/api_fixture.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace asyncscrape;
using namespace asyncscrape::test;
namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

const std::string collections = "/v1/async/collections";
const std::string unknown_id = "c38b0bcf-cb7c-4728-8704-2c2e267dcff9";

std::string detail_of(const Response& response) {
    CHECK(response[http::field::content_type] == "application/json");
    return text_of(json_of(response).at("detail"));
}

std::string valid_body(const ApiFixture& f) {
    return json::serialize(
        json::object{{"name", "valid"},
                     {"requests", json::array{json::object{{"url", f.target.url("/page")}}}}});
}

net::awaitable<std::string> create_collection(ApiFixture& f, Client& client) {
    const Response created = co_await client.post(collections, valid_body(f));
    REQUIRE(created.result_int() == 201);
    co_return text_of(json_of(created).at("id"));
}

// The server still answers on a new connection.
net::awaitable<void> check_still_serving(ApiFixture& f) {
    Client client = co_await f.connect();
    const Response health = co_await client.get("/v1/health");
    CHECK(health.result_int() == 200);
    CHECK(json_of(health).at("status") == "ok");
}

net::awaitable<void> bad_collection_bodies(ApiFixture& f) {
    Client client = co_await f.connect();
    struct Case {
        std::string body;
        std::string detail_start;
    };
    const std::string url = f.target.url("/page");
    const std::vector<Case> cases{
        {"{", "body: invalid JSON"},
        {"", "body: invalid JSON"},
        {"[1, 2]", "body: must be a JSON object"},
        {std::string(100000, '[') + std::string(100000, ']'), "body: JSON nested too deeply"},
        {R"({"requests": [{"url": "x.com"}]})", "name"},
        {R"({"name": 5, "requests": [{"url": "x.com"}]})", "name"},
        {R"({"name": "n", "requests": "x.com"})", "requests"},
        {R"({"name": "n", "requests": []})", "requests"},
        {R"({"name": "n", "requests": [{"url": 7}]})", "requests[0].url"},
        {R"({"name": "n", "requests": [{"url": "x.com"}, {"url": "x.com", "browser": "yes"}]})",
         "requests[1].browser"},
        {R"({"name": "n", "requests": [{"url": "x.com"}, {"url": "x.com", "actions": [{"type": "wait-for-timeout", "time": 70000}]}]})",
         "requests[1].actions[0].time"},
        {R"({"name": "n", "requests": [{"url": "x.com", "bogus": 1}]})", "requests[0].bogus"},
        {R"({"name": "n", "requests": [{"url": "x.com"}], "extra": true})", "extra"},
    };
    for (const Case& c : cases) {
        const Response refused = co_await client.post(collections, c.body);
        INFO(c.body.substr(0, 200));
        CHECK(refused.result_int() == 400);
        const std::string detail = detail_of(refused);
        CHECK(detail.starts_with(c.detail_start));
    }
    // The same rules for a replacement.
    const std::string id = co_await create_collection(f, client);
    const Response refused =
        co_await client.request(http::verb::put, collection_path(id), R"({"name": ""})");
    CHECK(refused.result_int() == 400);
    CHECK(detail_of(refused).starts_with("name"));
    co_await check_still_serving(f);
}

net::awaitable<void> media_types(ApiFixture& f) {
    Client client = co_await f.connect();
    const std::string body = valid_body(f);
    for (const auto* type : {"text/plain", "application/x-www-form-urlencoded", "text/json"}) {
        const Response refused = co_await client.request(http::verb::post, collections, body, type);
        INFO(type);
        CHECK(refused.result_int() == 415);
        CHECK(detail_of(refused).starts_with("Content-Type"));
    }
    for (const auto* type :
         {"application/json; charset=utf-8", "Application/JSON", "application/vnd.test+json"}) {
        const Response accepted =
            co_await client.request(http::verb::post, collections, body, type);
        INFO(type);
        CHECK(accepted.result_int() == 201);
    }
    // No Content-Type at all is taken as JSON.
    co_await client.send(raw_request("POST", collections, body, ""));
    const Response untyped = co_await client.receive();
    CHECK(untyped.result_int() == 201);
}

net::awaitable<void> bodies_of_run_and_cancel(ApiFixture& f) {
    Client client = co_await f.connect();
    const std::string id = co_await create_collection(f, client);
    const std::string run = collection_path(id) + "/run";

    // No body, an empty object, an empty body with any Content-Type: all start a run.
    const Response without_body = co_await client.post(run);
    CHECK(without_body.result_int() == 201);
    const Response empty_object = co_await client.post(run, "{}");
    CHECK(empty_object.result_int() == 201);
    co_await client.send("POST " + run +
                         " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                         "Content-Length: 0\r\n\r\n");
    const Response typed_empty = co_await client.receive();
    CHECK(typed_empty.result_int() == 201);

    // A callback_url of the run's own; anything else is refused, naming what is wrong.
    const Response callback = co_await client.post(run, R"({"callback_url": "hooks.example.com"})");
    CHECK(callback.result_int() == 201);
    CHECK(json_of(callback).at("callback_status") == "pending");
    const Response bad_callback = co_await client.post(run, R"({"callback_url": "ftp://x.com/"})");
    CHECK(bad_callback.result_int() == 400);
    CHECK(detail_of(bad_callback).starts_with("callback_url: "));
    const Response unknown = co_await client.post(run, R"({"priority": 1})");
    CHECK(unknown.result_int() == 400);
    CHECK(detail_of(unknown) == "priority: unknown field");
    const Response array = co_await client.post(run, "[]");
    CHECK(array.result_int() == 400);
    CHECK(detail_of(array) == "body: must be a JSON object");
    const Response garbage = co_await client.post(run, "{");
    CHECK(garbage.result_int() == 400);
    CHECK(detail_of(garbage).starts_with("body: invalid JSON"));
    const Response text = co_await client.request(http::verb::post, run, "go", "text/plain");
    CHECK(text.result_int() == 415);
}

net::awaitable<void> unknown_routes_ids_and_methods(ApiFixture& f) {
    Client client = co_await f.connect();
    const Response unknown = co_await client.get("/v1/nothing");
    CHECK(unknown.result_int() == 404);
    CHECK_FALSE(detail_of(unknown).empty());

    const Response not_uuid = co_await client.get(collections + "/not-a-uuid");
    CHECK(not_uuid.result_int() == 404);
    CHECK(detail_of(not_uuid) == "collection not-a-uuid not found");

    const Response no_such = co_await client.get(collection_path(unknown_id));
    CHECK(no_such.result_int() == 404);
    CHECK(detail_of(no_such).find(unknown_id) != std::string::npos);

    const Response no_run = co_await client.get(run_path(unknown_id, unknown_id));
    CHECK(no_run.result_int() == 404);

    const Response wrong_method =
        co_await client.request(http::verb::patch, collection_path(unknown_id));
    CHECK(wrong_method.result_int() == 405);
    CHECK(wrong_method[http::field::allow] == "GET, PUT, DELETE");
    CHECK_FALSE(detail_of(wrong_method).empty());
}

net::awaitable<void> bad_query_parameters(ApiFixture& f) {
    Client client = co_await f.connect();
    const std::string id = co_await create_collection(f, client);
    struct Case {
        std::string target;
        std::string detail;
    };
    const std::vector<Case> cases{
        {collections + "?limit=0", "limit: must be an integer between 1 and 1000"},
        {collections + "?limit=1001", "limit: must be an integer between 1 and 1000"},
        {collections + "?offset=-5", "offset: must be a non-negative integer"},
        {collection_path(id) + "/runs?status_filter=success",
         "status_filter: must be one of in_progress, completed, cancelled"},
    };
    for (const Case& c : cases) {
        const Response refused = co_await client.get(c.target);
        INFO(c.target);
        CHECK(refused.result_int() == 400);
        CHECK(detail_of(refused) == c.detail);
    }
    const Response paged = co_await client.get(collections + "?limit=1&offset=0&unknown=1");
    CHECK(paged.result_int() == 200);
    CHECK(json_of(paged).at("total") == 1);
}

net::awaitable<void> body_over_the_limit(ApiFixture& f) {
    Client client = co_await f.connect();
    const std::string body(70 * 1024 * 1024, ' ');
    const Response refused =
        co_await client.send_while_receiving(raw_request("POST", collections, body));
    CHECK(refused.result_int() == 413);
    CHECK(detail_of(refused) == "body: larger than 67108864 bytes");
    CHECK_FALSE(refused.keep_alive());
    co_await check_still_serving(f);
}

net::awaitable<void> chunked_body_over_the_limit(ApiFixture& f) {
    Client client = co_await f.connect();
    // No Content-Length to refuse up front: the limit is found while reading.
    std::string raw = "POST " + collections +
                      " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n";
    const std::string chunk(64 * 1024, ' ');
    for (int i = 0; i < 32; ++i) {
        raw += "10000\r\n" + chunk + "\r\n";
    }
    raw += "0\r\n\r\n";
    const Response refused = co_await client.send_while_receiving(raw);
    CHECK(refused.result_int() == 413);
    CHECK(detail_of(refused) == "body: larger than 1048576 bytes");
    co_await check_still_serving(f);
}

ServerConfig small_body_limit() {
    ServerConfig config = test_server_config();
    config.max_body_bytes = 1024 * 1024;
    return config;
}

}  // namespace

TEST_CASE("bad collection bodies answer 400 naming the field") {
    ApiFixture f;
    f.run(bad_collection_bodies(f));
}

TEST_CASE("bodies that say they are not JSON answer 415") {
    ApiFixture f;
    f.run(media_types(f));
}

TEST_CASE("run takes no body or an empty object and refuses anything else") {
    ApiFixture f;
    f.run(bodies_of_run_and_cancel(f));
}

TEST_CASE("unknown routes and ids answer 404 and wrong methods 405 with Allow") {
    ApiFixture f;
    f.run(unknown_routes_ids_and_methods(f));
}

TEST_CASE("bad query parameters answer 400 naming the parameter") {
    ApiFixture f;
    f.run(bad_query_parameters(f));
}

TEST_CASE("a 70 MB body answers 413 and the server keeps serving") {
    ApiFixture f;
    f.run(body_over_the_limit(f));
}

TEST_CASE("a chunked body over the limit answers 413") {
    ApiFixture f(small_body_limit());
    f.run(chunked_body_over_the_limit(f));
}
