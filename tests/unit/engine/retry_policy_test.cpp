#include "engine/retry_policy.hpp"

#include <catch2/catch.hpp>

using asyncscrape::engine::Millis;
using asyncscrape::engine::RetryPolicy;

namespace {

const RetryPolicy policy{2, Millis{100}, Millis{1000}};
constexpr Millis plenty{60000};

}  // namespace

TEST_CASE("only retryable failures are retried") {
    CHECK_FALSE(policy.next_delay({1, false, std::nullopt}, plenty, 0.5));
    CHECK(policy.next_delay({1, true, std::nullopt}, plenty, 0.5));
}

TEST_CASE("retries stop after max_retries") {
    CHECK(policy.next_delay({2, true, std::nullopt}, plenty, 0.5));
    CHECK_FALSE(policy.next_delay({3, true, std::nullopt}, plenty, 0.5));
}

TEST_CASE("the backoff doubles, stays within its jittered range and is capped") {
    for (double draw : {0.0, 0.25, 0.999}) {
        const auto first = *policy.next_delay({1, true, std::nullopt}, plenty, draw);
        CHECK(first >= Millis{50});
        CHECK(first <= Millis{100});
        const auto second = *policy.next_delay({2, true, std::nullopt}, plenty, draw);
        CHECK(second >= Millis{100});
        CHECK(second <= Millis{200});
    }
    const RetryPolicy many{20, Millis{100}, Millis{1000}};
    CHECK(*many.next_delay({15, true, std::nullopt}, plenty, 0.999) <= Millis{1000});
    CHECK(*many.next_delay({15, true, std::nullopt}, plenty, 0.0) >= Millis{500});
}

TEST_CASE("Retry-After is honoured when it asks for longer") {
    CHECK(*policy.next_delay({1, true, Millis{3000}}, plenty, 0.5) == Millis{3000});
    CHECK(*policy.next_delay({1, true, Millis{1}}, plenty, 0.0) == Millis{50});
}

TEST_CASE("no retry is scheduled past the deadline") {
    CHECK_FALSE(policy.next_delay({1, true, std::nullopt}, Millis{40}, 0.0));
    CHECK_FALSE(policy.next_delay({1, true, Millis{5000}}, Millis{4000}, 0.0));
    CHECK(policy.next_delay({1, true, Millis{5000}}, Millis{6000}, 0.0));
}

TEST_CASE("the retryable statuses are 429, 502, 503 and 504") {
    for (int status : {429, 502, 503, 504}) {
        CHECK(RetryPolicy::retryable_status(status));
    }
    for (int status : {200, 301, 400, 404, 500, 501}) {
        CHECK_FALSE(RetryPolicy::retryable_status(status));
    }
}
