// Idempotency-Key without a server: reading the header, the request's digest, the decision on a
// stored answer, what is stored and how it is given again, and the keys in flight.
#include "api/idempotency.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>

using namespace asyncscrape;
using namespace asyncscrape::api;
using namespace std::chrono_literals;
namespace http = boost::beast::http;

namespace {

server::HttpRequest request(http::verb method, std::string target, std::string body) {
    server::HttpRequest request(method, target, 11);
    request.body() = std::move(body);
    request.prepare_payload();
    return request;
}

server::HttpRequest with_key(std::string_view key) {
    server::HttpRequest created = request(http::verb::post, "/v1/async/collections", "{}");
    created.set(idempotency_key_header, key);
    return created;
}

std::string refusal(const Outcome<std::optional<std::string>>& key) {
    REQUIRE_FALSE(key);
    CHECK(key.error().code == Errc::invalid_argument);
    return key.error().detail;
}

const TimePoint now = Clock::now();

IdempotentReply stored(std::string digest, TimePoint created_at) {
    return {"tenant", "key", std::move(digest), 201, R"({"id":"c"})", created_at};
}

}  // namespace

TEST_CASE("Idempotency-Key: 1 to 255 printable ASCII characters, once") {
    const auto none = idempotency_key_of(request(http::verb::post, "/v1/async/collections", ""));
    REQUIRE(none);
    CHECK_FALSE(none->has_value());

    const auto key = idempotency_key_of(with_key("order-42 retry#1"));
    REQUIRE(key);
    CHECK(key->value() == "order-42 retry#1");
    const auto longest = idempotency_key_of(with_key(std::string(255, 'k')));
    REQUIRE(longest);
    CHECK(longest->value().size() == 255);

    const std::string rule = "Idempotency-Key: must be 1 to 255 printable ASCII characters";
    CHECK(refusal(idempotency_key_of(with_key(""))) == rule);
    CHECK(refusal(idempotency_key_of(with_key(std::string(256, 'k')))) == rule);
    CHECK(refusal(idempotency_key_of(with_key("caf\xc3\xa9"))) == rule);
    CHECK(refusal(idempotency_key_of(with_key("a\tb"))) == rule);

    server::HttpRequest twice = with_key("a");
    twice.insert(idempotency_key_header, "b");
    CHECK(refusal(idempotency_key_of(twice)) == "Idempotency-Key: given more than once");
}

TEST_CASE("the digest is SHA-256 of method, path and body") {
    const auto post = [](std::string target, std::string body) {
        return request_digest(request(http::verb::post, std::move(target), std::move(body)));
    };
    const std::string digest = post("/v1/async/collections", R"({"name":"x"})");
    // sha256("POST\n/v1/async/collections\n{\"name\":\"x\"}")
    CHECK(digest == "2559a4b9459f1ac88b0efb4e2fe85e5783becd53f443272360e9b98605a5dbf0");
    CHECK(post("/v1/async/collections?x=1", R"({"name":"x"})") == digest);
    CHECK(post("/v1/async/collections", R"({"name":"y"})") != digest);
    CHECK(post("/v1/async/collections/", R"({"name":"x"})") != digest);
    CHECK(request_digest(request(http::verb::put, "/v1/async/collections", R"({"name":"x"})")) !=
          digest);
    // Headers are not part of it: a retry may differ in them (a new Date, another client).
    server::HttpRequest with_header =
        request(http::verb::post, "/v1/async/collections", R"({"name":"x"})");
    with_header.set(http::field::user_agent, "other");
    CHECK(request_digest(with_header) == digest);
}

TEST_CASE("a stored answer is replayed to the same request for 24 hours") {
    CHECK(decide_idempotency(std::nullopt, "d", now) == IdempotencyDecision::first);
    CHECK(decide_idempotency(stored("d", now - 1h), "d", now) == IdempotencyDecision::replay);
    CHECK(decide_idempotency(stored("d", now - 24h), "d", now) == IdempotencyDecision::replay);
    CHECK(decide_idempotency(stored("d", now - 1h), "other", now) == IdempotencyDecision::reused);
    // Past the window the key is free again, whatever the request.
    const IdempotentReply old = stored("d", now - 24h - 1ms);
    CHECK(idempotency_expired(old, now));
    CHECK_FALSE(idempotency_expired(stored("d", now - 24h), now));
    CHECK(decide_idempotency(old, "d", now) == IdempotencyDecision::first);
    CHECK(decide_idempotency(old, "other", now) == IdempotencyDecision::first);
}

TEST_CASE("only complete 2xx JSON answers are stored") {
    CHECK(replayable(server::json_reply(http::status::created, boost::json::object{{"id", "c"}})));
    CHECK(replayable(server::json_reply(http::status::ok, boost::json::object{})));
    CHECK_FALSE(replayable(server::error_reply(http::status::bad_request, "name: required")));
    CHECK_FALSE(replayable(server::error_reply(http::status::service_unavailable, "store")));
    CHECK_FALSE(replayable(server::content_reply(http::status::ok, "image/png", "png")));
}

TEST_CASE("a replay gives the stored status, content type and body, marked replayed") {
    const server::Reply reply = replay_of(stored("d", now));
    CHECK(reply.response.result_int() == 201);
    CHECK(reply.response[http::field::content_type] == "application/json");
    CHECK(reply.response.body() == R"({"id":"c"})");
    CHECK(reply.response[idempotent_replayed_header] == "true");
    CHECK_FALSE(reply.stream);
}

TEST_CASE("a key is in flight once per tenant, until its claim ends") {
    IdempotencyKeysInFlight keys;
    {
        auto first = keys.claim("t1", "k");
        REQUIRE(first);
        CHECK_FALSE(keys.claim("t1", "k"));
        // Another tenant's key of the same name is another key.
        auto other_tenant = keys.claim("t2", "k");
        CHECK(other_tenant);
        CHECK(keys.size() == 2);
        // Moving a claim keeps the key held once.
        auto moved = std::move(*first);
        first.reset();
        CHECK_FALSE(keys.claim("t1", "k"));
        CHECK(keys.size() == 2);
    }
    CHECK(keys.size() == 0);
    CHECK(keys.claim("t1", "k"));
}
