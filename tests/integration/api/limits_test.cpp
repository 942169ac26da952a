// The per-key rate limit and Idempotency-Key over loopback, on the memory and the SQLite store.
#include "integration/api/api_fixture.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace asyncscrape;
using namespace asyncscrape::test;
namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::string_view collections = "/v1/async/collections";

ServerConfig rate_limited(std::size_t per_second) {
    ServerConfig config = test_server_config();
    config.rate_limit = per_second;
    return config;
}

std::string collection_body(std::string_view name, const std::string& url) {
    return json::serialize(json::object{
        {"name", name}, {"requests", json::array{json::object{{"url", url}, {"browser", false}}}}});
}

// A POST with an Idempotency-Key, and whatever else the client sends with every request.
net::awaitable<Response> post_with_key(Client& client, std::string_view target,
                                       std::string_view body, std::string_view key) {
    client.headers.emplace_back("Idempotency-Key", key);
    const Response answer = co_await client.post(target, body);
    client.headers.pop_back();
    co_return answer;
}

std::string detail(const Response& response) {
    return text_of(json_of(response).as_object().at("detail"));
}

std::int64_t total_of(const Response& list) {
    REQUIRE(list.result_int() == 200);
    return json_of(list).as_object().at("total").to_number<std::int64_t>();
}

// `count` GETs of `target` sent at once, then their answers in order: pipelined, so
// that they reach the server as fast as it reads.
net::awaitable<std::vector<Response>> pipelined(Client& client, std::string_view target,
                                                int count) {
    std::string raw;
    for (int i = 0; i < count; ++i) {
        raw += raw_request("GET", target);
    }
    co_await client.send(raw);
    std::vector<Response> answers;
    for (int i = 0; i < count; ++i) {
        answers.push_back(co_await client.receive());
    }
    co_return answers;
}

net::awaitable<void> burst_then_refused(ApiFixture& f) {
    Client client = co_await f.connect();
    // A bucket of 2 × 2 calls, refilled at 2 a second: the first four always pass; passing all
    // twelve would take four seconds of refill.
    const std::vector<Response> answers = co_await pipelined(client, collections, 12);
    for (int i = 0; i < 4; ++i) {
        CHECK(answers[i].result_int() == 200);
    }
    int refused = 0;
    for (const Response& answer : answers) {
        if (answer.result_int() == 429) {
            ++refused;
            CHECK(answer[http::field::retry_after] == "1");
            CHECK(detail(answer) == "rate limit of 2 requests a second exceeded");
        } else {
            CHECK(answer.result_int() == 200);
        }
    }
    CHECK(refused > 0);
    // The bucket is the key's, not the connection's: another connection is refused as well
    // (six calls would take three seconds of refill), while health checks still pass.
    Client other = co_await f.connect();
    const std::vector<Response> again = co_await pipelined(other, collections, 6);
    CHECK(std::any_of(again.begin(), again.end(),
                      [](const Response& answer) { return answer.result_int() == 429; }));
    const std::vector<Response> health = co_await pipelined(other, "/v1/health", 20);
    for (const Response& answer : health) {
        CHECK(answer.result_int() == 200);
    }
}

net::awaitable<void> no_limit_by_default(ApiFixture& f) {
    Client client = co_await f.connect();
    const std::vector<Response> answers = co_await pipelined(client, collections, 50);
    for (const Response& answer : answers) {
        CHECK(answer.result_int() == 200);
    }
}

net::awaitable<void> create_once(ApiFixture& f) {
    Client client = co_await f.connect();
    const std::string body = collection_body("once", f.target.url("/page"));
    const Response first = co_await post_with_key(client, collections, body, "create-1");
    REQUIRE(first.result_int() == 201);
    CHECK(first.count("Idempotent-Replayed") == 0);

    const Response second = co_await post_with_key(client, collections, body, "create-1");
    CHECK(second.result_int() == 201);
    CHECK(second[http::field::content_type] == "application/json");
    CHECK(second.body() == first.body());
    CHECK(second["Idempotent-Replayed"] == "true");
    CHECK(total_of(co_await client.get(collections)) == 1);

    // The same key with another body is a mistake, not a repeat.
    const std::string other = collection_body("other", f.target.url("/page"));
    const Response reused = co_await post_with_key(client, collections, other, "create-1");
    CHECK(reused.result_int() == 409);
    CHECK(detail(reused) == "Idempotency-Key \"create-1\" was used with another request");
    CHECK(total_of(co_await client.get(collections)) == 1);

    // Another key creates another collection; no key at all, too.
    const Response fresh = co_await post_with_key(client, collections, body, "create-2");
    CHECK(fresh.result_int() == 201);
    CHECK(fresh.count("Idempotent-Replayed") == 0);
    CHECK(fresh.body() != first.body());
    const Response plain = co_await client.post(collections, body);
    CHECK(plain.result_int() == 201);
    CHECK(total_of(co_await client.get(collections)) == 3);
}

net::awaitable<void> run_once(ApiFixture& f) {
    Client client = co_await f.connect();
    const Response created =
        co_await client.post(collections, collection_body("run", f.target.url("/page")));
    REQUIRE(created.result_int() == 201);
    const std::string id = text_of(json_of(created).as_object().at("id"));
    const std::string run = collection_path(id) + "/run";

    const Response first = co_await post_with_key(client, run, "", "run-1");
    REQUIRE(first.result_int() == 201);
    const Response second = co_await post_with_key(client, run, "", "run-1");
    CHECK(second.result_int() == 201);
    CHECK(second.body() == first.body());
    CHECK(second["Idempotent-Replayed"] == "true");
    CHECK(total_of(co_await client.get(collection_path(id) + "/runs")) == 1);

    // A key is the tenant's, not the route's: used for a create it is another request.
    const Response reused =
        co_await post_with_key(client, collections, collection_body("x", "example.com"), "run-1");
    CHECK(reused.result_int() == 409);

    const std::string run_id = text_of(json_of(first).as_object().at("run_id"));
    co_await wait_for_run_end(client, run_path(id, run_id));
}

net::awaitable<void> refusals_are_not_stored(ApiFixture& f) {
    Client client = co_await f.connect();
    const Response invalid =
        co_await post_with_key(client, collections, R"({"name": "no requests"})", "fix-1");
    REQUIRE(invalid.result_int() == 400);
    // Nothing was created: the corrected request under the same key runs, and is stored.
    const std::string body = collection_body("fixed", f.target.url("/page"));
    const Response fixed = co_await post_with_key(client, collections, body, "fix-1");
    CHECK(fixed.result_int() == 201);
    CHECK(fixed.count("Idempotent-Replayed") == 0);
    const Response repeat = co_await post_with_key(client, collections, body, "fix-1");
    CHECK(repeat["Idempotent-Replayed"] == "true");
    CHECK(total_of(co_await client.get(collections)) == 1);

    // A run of a collection that does not exist is a 404, not stored either.
    const std::string missing = collection_path("3f1f5c0e-8f4e-4d55-9c43-1c1a5e0f0a11") + "/run";
    const Response not_found = co_await post_with_key(client, missing, "", "run-missing");
    CHECK(not_found.result_int() == 404);
    const Response still = co_await post_with_key(client, missing, "", "run-missing");
    CHECK(still.result_int() == 404);
    CHECK(still.count("Idempotent-Replayed") == 0);
}

net::awaitable<void> malformed_keys_refused(ApiFixture& f) {
    Client client = co_await f.connect();
    const std::string body = collection_body("k", f.target.url("/page"));
    const Response too_long =
        co_await post_with_key(client, collections, body, std::string(256, 'k'));
    CHECK(too_long.result_int() == 400);
    CHECK(detail(too_long) == "Idempotency-Key: must be 1 to 255 printable ASCII characters");
    const Response not_ascii = co_await post_with_key(client, collections, body, "cl\xc3\xa9");
    CHECK(not_ascii.result_int() == 400);
    CHECK(total_of(co_await client.get(collections)) == 0);
}

}  // namespace

TEST_CASE("a key may make twice its rate of calls at once, then answers 429 with Retry-After") {
    ApiFixture f(rate_limited(2));
    f.run(burst_then_refused(f));
}

TEST_CASE("without --rate-limit, calls are not limited") {
    ApiFixture f;
    f.run(no_limit_by_default(f));
}

TEST_CASE("a create repeated with its Idempotency-Key answers the first answer again") {
    ApiFixture f;
    f.run(create_once(f));
}

TEST_CASE("a run started twice with one Idempotency-Key starts once") {
    ApiFixture f;
    f.run(run_once(f));
}

TEST_CASE("answers other than 2xx are not stored for an Idempotency-Key") {
    ApiFixture f;
    f.run(refusals_are_not_stored(f));
}

TEST_CASE("an Idempotency-Key that is not 1 to 255 printable ASCII characters answers 400") {
    ApiFixture f;
    f.run(malformed_keys_refused(f));
}
