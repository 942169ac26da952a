#include "engine/scheduler.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>

using asyncscrape::engine::Scheduler;

namespace {

Scheduler::Limits limits(std::size_t in_flight, std::size_t per_origin) {
    Scheduler::Limits limits;
    limits.in_flight = in_flight;
    limits.per_origin = per_origin;
    return limits;
}

std::vector<std::string> same_origin(std::size_t count, const std::string& origin = "http://a:80") {
    return std::vector<std::string>(count, origin);
}

// Takes grants until the scheduler refuses.
std::vector<Scheduler::Grant> drain(Scheduler& scheduler) {
    std::vector<Scheduler::Grant> grants;
    while (auto grant = scheduler.next()) {
        grants.push_back(*grant);
    }
    return grants;
}

}  // namespace

TEST_CASE("the global limit caps jobs in flight") {
    Scheduler scheduler(limits(3, 100));
    scheduler.add_run(1, same_origin(10));
    auto grants = drain(scheduler);
    REQUIRE(grants.size() == 3);
    CHECK(scheduler.in_flight() == 3);
    CHECK(scheduler.queued(1) == 7);

    scheduler.release(grants[0]);
    auto next = scheduler.next();
    REQUIRE(next);
    CHECK(next->job == 3);  // request order inside one origin
    CHECK_FALSE(scheduler.next());
}

TEST_CASE("the per-origin limit caps one target but not the others") {
    Scheduler scheduler(limits(100, 2));
    scheduler.add_run(1, {"http://a:80", "http://a:80", "http://a:80", "http://b:80"});
    auto grants = drain(scheduler);
    REQUIRE(grants.size() == 3);
    std::multiset<std::size_t> jobs;
    for (const auto& grant : grants) {
        jobs.insert(grant.job);
    }
    CHECK(jobs == std::multiset<std::size_t>{0, 1, 3});

    scheduler.release(grants[0]);
    auto next = scheduler.next();
    REQUIRE(next);
    CHECK(next->job == 2);
}

TEST_CASE("an origin with a limit of its own keeps it beside the others") {
    Scheduler::Limits browser_limit = limits(100, 3);
    browser_limit.origin_limits.emplace("browser", 1);
    Scheduler scheduler(browser_limit);
    scheduler.add_run(1, {"browser", "browser", "http://a:80", "http://a:80", "browser"});
    auto grants = drain(scheduler);
    std::multiset<std::size_t> jobs;
    for (const auto& grant : grants) {
        jobs.insert(grant.job);
    }
    CHECK(jobs == std::multiset<std::size_t>{0, 2, 3});

    scheduler.release(grants[0]);  // the browser's job
    auto next = scheduler.next();
    REQUIRE(next);
    CHECK(next->job == 1);
    CHECK_FALSE(scheduler.next());
}

TEST_CASE("a resumed run queues only the jobs it is given") {
    Scheduler scheduler(limits(100, 100));
    scheduler.add_run(1, same_origin(6), {1, 4, 5});
    CHECK(scheduler.queued(1) == 3);
    std::vector<std::size_t> jobs;
    for (const auto& grant : drain(scheduler)) {
        jobs.push_back(grant.job);
    }
    CHECK(jobs == std::vector<std::size_t>{1, 4, 5});
}

TEST_CASE("origins of one run take turns") {
    Scheduler scheduler(limits(100, 100));
    scheduler.add_run(1,
                      {"http://a:80", "http://a:80", "http://a:80", "http://b:80", "http://b:80"});
    std::vector<std::size_t> order;
    for (const auto& grant : drain(scheduler)) {
        order.push_back(grant.job);
    }
    CHECK(order == std::vector<std::size_t>{0, 3, 1, 4, 2});
}

TEST_CASE("a small run started after a big one progresses at once") {
    Scheduler scheduler(limits(4, 100));
    scheduler.add_run(1, same_origin(1000, "http://big:80"));
    auto big = drain(scheduler);
    REQUIRE(big.size() == 4);

    scheduler.add_run(2, same_origin(3, "http://small:80"));
    // Every slot that frees goes to the runs in turn: the small run gets every other one.
    std::map<std::uint64_t, int> granted;
    for (int i = 0; i < 6; ++i) {
        scheduler.release(big[static_cast<std::size_t>(i) % big.size()]);
        auto grant = scheduler.next();
        REQUIRE(grant);
        ++granted[grant->run];
        big[static_cast<std::size_t>(i) % big.size()] = *grant;
    }
    CHECK(granted[2] == 3);
    CHECK(granted[1] == 3);
    CHECK(scheduler.queued(2) == 0);
}

TEST_CASE("a run blocked on its origin does not block another run") {
    Scheduler scheduler(limits(100, 1));
    scheduler.add_run(1, same_origin(5, "http://a:80"));
    scheduler.add_run(2, same_origin(5, "http://b:80"));
    auto grants = drain(scheduler);
    REQUIRE(grants.size() == 2);
    CHECK(grants[0].run != grants[1].run);
}

TEST_CASE("dropping a run answers its queued jobs and keeps jobs in flight counted") {
    Scheduler scheduler(limits(2, 100));
    scheduler.add_run(7, same_origin(5));
    auto grants = drain(scheduler);
    REQUIRE(grants.size() == 2);

    auto dropped = scheduler.drop_run(7);
    CHECK(dropped == std::vector<std::size_t>{2, 3, 4});
    CHECK(scheduler.queued() == 0);
    CHECK(scheduler.in_flight() == 2);
    CHECK_FALSE(scheduler.next());
    CHECK(scheduler.drop_run(7).empty());

    for (const auto& grant : grants) {
        scheduler.release(grant);
    }
    CHECK(scheduler.in_flight() == 0);
}

TEST_CASE("a large run is drained exactly once, job by job") {
    constexpr std::size_t jobs = 100000;
    Scheduler scheduler(limits(256, 8));
    std::vector<std::string> origins;
    for (std::size_t i = 0; i < jobs; ++i) {
        origins.push_back("http://host" + std::to_string(i % 50) + ":80");
    }
    scheduler.add_run(1, origins);
    std::vector<bool> seen(jobs, false);
    std::size_t granted = 0;
    std::vector<Scheduler::Grant> in_flight;
    while (granted < jobs) {
        auto batch = drain(scheduler);
        REQUIRE_FALSE(batch.empty());
        REQUIRE(scheduler.in_flight() <= 256);
        for (const auto& grant : batch) {
            REQUIRE_FALSE(seen[grant.job]);
            seen[grant.job] = true;
            ++granted;
        }
        in_flight.insert(in_flight.end(), batch.begin(), batch.end());
        for (const auto& grant : in_flight) {
            scheduler.release(grant);
        }
        in_flight.clear();
    }
    CHECK(scheduler.queued() == 0);
    CHECK(scheduler.in_flight() == 0);
}
