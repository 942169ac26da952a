#include "fetch/retry_after.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using asyncscrape::TimePoint;
using asyncscrape::fetch::parse_http_date;
using asyncscrape::fetch::parse_retry_after;
using namespace std::chrono_literals;

namespace {

// 1994-11-06 08:49:37 UTC, the example date of RFC 9110.
const TimePoint rfc_example{std::chrono::sys_days{std::chrono::year{1994} / 11 / 6} + 8h + 49min +
                            37s};

}  // namespace

TEST_CASE("Retry-After as delta-seconds", "[retry-after]") {
    const TimePoint now = rfc_example;
    CHECK(parse_retry_after("120", now) == std::chrono::milliseconds(120'000));
    CHECK(parse_retry_after("0", now) == std::chrono::milliseconds(0));
    CHECK(parse_retry_after(" 5 ", now) == std::chrono::milliseconds(5'000));
    // Absurdly long waits are capped at a year instead of overflowing.
    CHECK(parse_retry_after("99999999999999999999999", now) == std::chrono::hours(365 * 24));
}

TEST_CASE("HTTP-dates in the three formats", "[retry-after]") {
    CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == rfc_example);
    CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == rfc_example);
    CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == rfc_example);
}

TEST_CASE("Retry-After as an HTTP-date is measured from now", "[retry-after]") {
    const TimePoint now = rfc_example - 90s;
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now) ==
          std::chrono::milliseconds(90'000));
    // A date in the past asks for no wait.
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", rfc_example + 1h) ==
          std::chrono::milliseconds(0));
}

TEST_CASE("malformed Retry-After values are ignored", "[retry-after]") {
    const TimePoint now = rfc_example;
    for (const char* value : {"", "soon", "-5", "1.5", "12abc", "Sun, 32 Nov 1994 08:49:37 GMT",
                              "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                              "Sun, 06 Nov 1994 08:49:37 PST",
                              // Years a TimePoint cannot hold (found by fuzzing: it overflowed).
                              "Sun, 06 Nov 2411 08:49:37 GMT", "Sun Nov  6 08:49:37 99999",
                              "Sun, 06 Nov 1016 08:49:37 GMT"}) {
        INFO(value);
        CHECK_FALSE(parse_retry_after(value, now).has_value());
    }
}
