// The per-key token bucket, with the time passed in: no sleeping, no clock.
#include "api/rate_limiter.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

using namespace asyncscrape::api;
using namespace std::chrono_literals;

namespace {

const RateLimiter::Clock::time_point start{std::chrono::hours(1000)};

// How many calls of `key` are admitted at `at` before the first refusal (at most `most`).
int admitted(RateLimiter& limiter, const std::string& key, RateLimiter::Clock::time_point at,
             int most = 1000) {
    int n = 0;
    while (n < most && !limiter.admit(key, at)) {
        ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("a key may burst twice its rate, then is refused") {
    RateLimiter limiter(5);
    CHECK(limiter.enabled());
    CHECK(admitted(limiter, "key", start) == 10);
    const auto refused = limiter.admit("key", start);
    REQUIRE(refused);
    CHECK(*refused == 1s);
    // A refused call takes nothing: still refused, still one second.
    CHECK(limiter.admit("key", start) == std::optional(1s));
}

TEST_CASE("keys have buckets of their own") {
    RateLimiter limiter(1);
    CHECK(admitted(limiter, "a", start) == 2);
    CHECK(admitted(limiter, "b", start) == 2);
    CHECK(limiter.admit("a", start));
    CHECK(limiter.buckets() == 2);
}

TEST_CASE("a bucket refills at the rate, up to twice the rate") {
    RateLimiter limiter(4);
    REQUIRE(admitted(limiter, "key", start) == 8);
    // A quarter of a second brings one call back, and no more.
    CHECK(limiter.admit("key", start + 249ms));
    CHECK_FALSE(limiter.admit("key", start + 250ms));
    CHECK(limiter.admit("key", start + 250ms));
    // Partial refills add up: three steps of 100 ms make 1.2 calls, one admitted.
    CHECK(admitted(limiter, "key", start + 350ms) == 0);
    CHECK(admitted(limiter, "key", start + 450ms) == 0);
    CHECK(admitted(limiter, "key", start + 550ms) == 1);
    CHECK(admitted(limiter, "key", start + 650ms) == 0);
    // Idle for an hour: full again, never more than the burst.
    CHECK(admitted(limiter, "key", start + 1h) == 8);
}

TEST_CASE("Retry-After is whole seconds until a call is admitted, rounded up") {
    RateLimiter limiter(1);
    REQUIRE(admitted(limiter, "key", start) == 2);
    // 0.9 s short of a token: 1 s, never 0.
    CHECK(limiter.admit("key", start + 100ms) == std::optional(1s));
    CHECK(limiter.admit("key", start + 999ms) == std::optional(1s));
    CHECK_FALSE(limiter.admit("key", start + 1000ms));
}

TEST_CASE("a rate of zero is no limit") {
    RateLimiter limiter(0);
    CHECK_FALSE(limiter.enabled());
    CHECK(admitted(limiter, "key", start, 10000) == 10000);
    CHECK(limiter.buckets() == 0);
}

TEST_CASE("a huge rate neither overflows nor refuses a plain burst") {
    RateLimiter limiter(std::size_t(-1));
    CHECK(admitted(limiter, "key", start, 10000) == 10000);
    CHECK(admitted(limiter, "key", start + 24h * 365 * 100, 10000) == 10000);
}

TEST_CASE("buckets that are full again are dropped when the map grows") {
    RateLimiter limiter(1, 4);
    for (const char* key : {"a", "b", "c", "d"}) {
        REQUIRE_FALSE(limiter.admit(key, start));
    }
    // The fifth key reaches the threshold: the sweep finds no bucket full (each has spent a
    // call) and keeps them all; the next sweep waits for twice as many.
    CHECK_FALSE(limiter.admit("e", start));
    CHECK(limiter.buckets() == 5);
    // "a" stays busy; "b" to "e" are full again after a second and a half.
    REQUIRE(admitted(limiter, "a", start + 1s) == 2);
    for (const char* key : {"f", "g", "h"}) {
        REQUIRE_FALSE(limiter.admit(key, start + 2s));
    }
    CHECK(limiter.buckets() == 8);
    // The ninth key sweeps: "b" to "e" go, "a" and the newcomers stay.
    CHECK_FALSE(limiter.admit("i", start + 2s));
    CHECK(limiter.buckets() == 5);
    // A dropped key starts again with a full bucket, as it had when it was dropped.
    CHECK(admitted(limiter, "b", start + 2s) == 2);
    CHECK(admitted(limiter, "a", start + 2s) == 1);
}

TEST_CASE("many keys used once each keep the map bounded") {
    RateLimiter limiter(10, 64);
    std::size_t most = 0;
    for (int i = 0; i < 10000; ++i) {
        // Each key's bucket is full again a fifth of a second after its call.
        REQUIRE_FALSE(limiter.admit("key" + std::to_string(i), start + i * 10ms));
        most = std::max(most, limiter.buckets());
    }
    CHECK(most <= 64);
}
