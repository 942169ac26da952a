#include "webhook/retry_schedule.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using asyncscrape::webhook::RetrySchedule;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST_CASE("a delivery gets 8 tries, the first at once", "[webhook]") {
    const RetrySchedule schedule;
    CHECK(schedule.max_tries() == 8);
    for (const double draw : {0.0, 0.5, 0.999}) {
        CHECK(schedule.delay_before(1, draw) == microseconds{0});
    }
}

TEST_CASE("the pauses grow from 30 s to 25 min and add up to about an hour", "[webhook]") {
    const RetrySchedule schedule;
    CHECK(schedule.delay_before(2, 0.5) == seconds{30});
    CHECK(schedule.delay_before(3, 0.5) == minutes{1});
    CHECK(schedule.delay_before(4, 0.5) == minutes{2});
    CHECK(schedule.delay_before(5, 0.5) == minutes{5});
    CHECK(schedule.delay_before(6, 0.5) == minutes{10});
    CHECK(schedule.delay_before(7, 0.5) == minutes{15});
    CHECK(schedule.delay_before(8, 0.5) == minutes{25});
    microseconds total{0};
    for (int try_number = 1; try_number <= schedule.max_tries(); ++try_number) {
        CHECK(schedule.delay_before(try_number, 0.5) >= schedule.delay_before(try_number - 1, 0.5));
        total += schedule.delay_before(try_number, 0.5);
    }
    CHECK(total == schedule.nominal_total());
    CHECK(total == seconds{3510});  // 58.5 min
}

TEST_CASE("jitter stays within 10 % either way", "[webhook]") {
    const RetrySchedule schedule;
    CHECK(schedule.delay_before(2, 0.0) == seconds{27});
    CHECK(schedule.delay_before(2, 0.999) > seconds{32});
    CHECK(schedule.delay_before(2, 0.999) <= seconds{33});
    CHECK(schedule.delay_before(8, 0.0) == seconds{1350});
    CHECK(schedule.delay_before(8, 1.0) == seconds{1650});
    const RetrySchedule steady(seconds{1}, 0.0);
    CHECK(steady.delay_before(5, 0.0) == minutes{5});
    CHECK(steady.delay_before(5, 0.999) == minutes{5});
}

TEST_CASE("the unit scales the whole schedule, so tests run it in milliseconds", "[webhook]") {
    const RetrySchedule fast(microseconds{100}, 0.0);
    CHECK(fast.delay_before(2, 0.5) == microseconds{3000});
    CHECK(fast.delay_before(8, 0.5) == microseconds{150000});
    CHECK(fast.nominal_total() == microseconds{351000});
}

TEST_CASE("a try past the last one waits the last pause", "[webhook]") {
    const RetrySchedule schedule(seconds{1}, 0.0);
    CHECK(schedule.delay_before(9, 0.5) == minutes{25});
    CHECK(schedule.delay_before(0, 0.5) == microseconds{0});
}
