#include "engine/scheduler.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <random>
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
    scheduler.add_run(1, "", same_origin(10));
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
    scheduler.add_run(1, "", {"http://a:80", "http://a:80", "http://a:80", "http://b:80"});
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
    scheduler.add_run(1, "", {"browser", "browser", "http://a:80", "http://a:80", "browser"});
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
    scheduler.add_jobs(1, "", {1, 4, 5}, same_origin(3));
    CHECK(scheduler.queued(1) == 3);
    std::vector<std::size_t> jobs;
    for (const auto& grant : drain(scheduler)) {
        jobs.push_back(grant.job);
    }
    CHECK(jobs == std::vector<std::size_t>{1, 4, 5});
}

TEST_CASE(
    "a run queued in parts runs its jobs in order, whether or not the earlier ones were "
    "admitted") {
    Scheduler scheduler(limits(2, 100));
    scheduler.add_jobs(1, "t", {0, 1, 2}, same_origin(3));
    scheduler.add_jobs(1, "t", {3}, same_origin(1));  // behind the queued ones
    CHECK(scheduler.queued(1) == 4);
    CHECK(scheduler.queued("t") == 4);
    std::vector<std::size_t> jobs;
    for (auto grants = drain(scheduler); !grants.empty(); grants = drain(scheduler)) {
        for (const auto& grant : grants) {
            jobs.push_back(grant.job);
            scheduler.release(grant);
        }
    }
    CHECK(jobs == std::vector<std::size_t>{0, 1, 2, 3});
    CHECK(scheduler.queued(1) == 0);

    // Every job admitted and released: the run and its tenant are forgotten, then queued anew.
    CHECK(scheduler.tenants() == 0);
    scheduler.add_jobs(1, "t", {4, 5}, same_origin(2, "http://b:80"));
    CHECK(scheduler.queued("t") == 2);
    const auto last = drain(scheduler);
    REQUIRE(last.size() == 2);
    CHECK(last[0].job == 4);
    CHECK(last[1].job == 5);
}

TEST_CASE("origins of one run take turns") {
    Scheduler scheduler(limits(100, 100));
    scheduler.add_run(1, "",
                      {"http://a:80", "http://a:80", "http://a:80", "http://b:80", "http://b:80"});
    std::vector<std::size_t> order;
    for (const auto& grant : drain(scheduler)) {
        order.push_back(grant.job);
    }
    CHECK(order == std::vector<std::size_t>{0, 3, 1, 4, 2});
}

TEST_CASE("a small run started after a big one progresses at once") {
    Scheduler scheduler(limits(4, 100));
    scheduler.add_run(1, "", same_origin(1000, "http://big:80"));
    auto big = drain(scheduler);
    REQUIRE(big.size() == 4);

    scheduler.add_run(2, "", same_origin(3, "http://small:80"));
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
    scheduler.add_run(1, "", same_origin(5, "http://a:80"));
    scheduler.add_run(2, "", same_origin(5, "http://b:80"));
    auto grants = drain(scheduler);
    REQUIRE(grants.size() == 2);
    CHECK(grants[0].run != grants[1].run);
}

TEST_CASE("dropping a run answers its queued jobs and keeps jobs in flight counted") {
    Scheduler scheduler(limits(2, 100));
    scheduler.add_run(7, "", same_origin(5));
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
    scheduler.add_run(1, "", origins);
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

// Tenants: turns between them, their in-flight limit, and their bookkeeping.

namespace {

Scheduler::Limits tenant_limits(std::size_t in_flight, std::size_t per_tenant) {
    Scheduler::Limits limits;
    limits.in_flight = in_flight;
    limits.per_origin = 1000000;
    limits.per_tenant = per_tenant;
    return limits;
}

}  // namespace

TEST_CASE("tenants take turns however many runs each has") {
    Scheduler scheduler(tenant_limits(1000, 0));
    scheduler.add_run(1, "alone", same_origin(100, "http://a:80"));
    for (std::uint64_t run = 2; run <= 6; ++run) {
        scheduler.add_run(run, "many", same_origin(100, "http://b:80"));
    }
    std::map<std::uint64_t, int> by_run;
    int alone = 0;
    for (int i = 0; i < 100; ++i) {
        auto grant = scheduler.next();
        REQUIRE(grant);
        ++by_run[grant->run];
        if (grant->run == 1) {
            ++alone;
            CHECK(i % 2 == 0);  // strictly every other admission
        }
    }
    CHECK(alone == 50);
    // Inside the tenant with five runs, its runs share its half.
    for (std::uint64_t run = 2; run <= 6; ++run) {
        CHECK(by_run[run] == 10);
    }
    CHECK(scheduler.queued("alone") == 50);
    CHECK(scheduler.queued("many") == 450);
}

TEST_CASE("a tenant's small run beside another tenant's 100,000 jobs finishes at once") {
    constexpr std::size_t slots = 8;
    constexpr std::size_t small = 10;
    Scheduler scheduler(tenant_limits(slots, 0));
    scheduler.add_run(1, "big", same_origin(100000, "http://big:80"));
    auto first = drain(scheduler);
    REQUIRE(first.size() == slots);
    std::deque<Scheduler::Grant> in_flight(first.begin(), first.end());

    scheduler.add_run(2, "small", same_origin(small, "http://small:80"));
    CHECK(scheduler.queued("small") == small);
    // Jobs end in the order they started; each freed slot is granted again.
    std::size_t grants = 0;
    std::size_t first_small = 0;
    std::size_t small_granted = 0;
    std::size_t big_granted = slots;
    while (small_granted < small && grants < 100 * small) {
        scheduler.release(in_flight.front());
        in_flight.pop_front();
        auto grant = scheduler.next();
        REQUIRE(grant);
        ++grants;
        in_flight.push_back(*grant);
        if (grant->run == 2) {
            if (++small_granted == 1) {
                first_small = grants;
            }
        } else {
            ++big_granted;
        }
    }
    // The newcomer joins the back of the line: behind the one tenant already there.
    CHECK((first_small == 1 || first_small == 2));
    CHECK(small_granted == small);
    CHECK(grants <= 2 * small);
    CHECK(scheduler.queued("small") == 0);
    CHECK(scheduler.queued("big") == 100000 - big_granted);
    CHECK(scheduler.queued(1) == 100000 - big_granted);
}

TEST_CASE("the per-tenant limit caps one tenant but not the others") {
    Scheduler scheduler(tenant_limits(100, 2));
    scheduler.add_run(1, "a", same_origin(10, "http://a:80"));
    scheduler.add_run(2, "a", same_origin(10, "http://b:80"));  // a second run does not help
    scheduler.add_run(3, "b", same_origin(10, "http://c:80"));
    auto grants = drain(scheduler);
    REQUIRE(grants.size() == 4);
    std::map<std::uint64_t, int> by_run;
    for (const auto& grant : grants) {
        ++by_run[grant.run];
    }
    CHECK(by_run[1] + by_run[2] == 2);
    CHECK(by_run[3] == 2);

    scheduler.add_run(4, "c", same_origin(10, "http://d:80"));
    auto more = drain(scheduler);
    REQUIRE(more.size() == 2);
    CHECK(more[0].run == 4);
    CHECK(more[1].run == 4);

    // A released slot of tenant a goes back to tenant a, and only one.
    const auto of_a = std::find_if(grants.begin(), grants.end(),
                                   [](const Scheduler::Grant& g) { return g.run != 3; });
    REQUIRE(of_a != grants.end());
    scheduler.release(*of_a);
    auto next = scheduler.next();
    REQUIRE(next);
    CHECK((next->run == 1 || next->run == 2));
    CHECK_FALSE(scheduler.next());
    CHECK(scheduler.in_flight() == 6);
}

TEST_CASE("a tenant blocked on its origins does not block another tenant") {
    Scheduler::Limits one_per_origin = tenant_limits(100, 0);
    one_per_origin.per_origin = 1;
    Scheduler scheduler(one_per_origin);
    scheduler.add_run(1, "a", same_origin(5, "http://shared:80"));
    scheduler.add_run(2, "b", same_origin(5, "http://shared:80"));
    scheduler.add_run(3, "c", same_origin(5, "http://own:80"));
    auto grants = drain(scheduler);
    REQUIRE(grants.size() == 2);
    CHECK(grants[0].run == 1);
    CHECK(grants[1].run == 3);
}

TEST_CASE("dropping a run keeps its tenant's counters right") {
    Scheduler scheduler(tenant_limits(100, 3));
    scheduler.add_run(1, "a", same_origin(5));
    scheduler.add_run(2, "a", same_origin(7));
    auto grants = drain(scheduler);
    REQUIRE(grants.size() == 3);  // runs 1, 2, 1 in turn
    CHECK(scheduler.queued(1) == 3);
    CHECK(scheduler.queued(2) == 6);
    CHECK(scheduler.queued("a") == 9);

    CHECK(scheduler.drop_run(1) == std::vector<std::size_t>{2, 3, 4});
    CHECK(scheduler.queued("a") == 6);
    CHECK(scheduler.queued() == 6);
    // The dropped run's jobs in flight still count against the tenant's limit.
    CHECK_FALSE(scheduler.next());
    REQUIRE(grants[0].run == 1);
    scheduler.release(grants[0]);
    auto next = scheduler.next();
    REQUIRE(next);
    CHECK(next->run == 2);
    CHECK(scheduler.queued("a") == 5);

    CHECK(scheduler.drop_run(2).size() == 5);
    CHECK(scheduler.queued("a") == 0);
    CHECK(scheduler.tenants() == 1);  // three jobs still in flight
    scheduler.release(grants[1]);
    scheduler.release(grants[2]);
    CHECK(scheduler.tenants() == 1);
    scheduler.release(*next);
    CHECK(scheduler.tenants() == 0);
    CHECK(scheduler.in_flight() == 0);
}

TEST_CASE("a tenant's record is forgotten once it is idle") {
    Scheduler scheduler(tenant_limits(100, 0));
    CHECK(scheduler.tenants() == 0);
    scheduler.add_run(1, "a", same_origin(2));
    scheduler.add_run(2, "b", same_origin(3));
    scheduler.add_run(3, "c", {});  // nothing to queue: no record
    CHECK(scheduler.tenants() == 2);

    // Dropped with nothing in flight: gone at once.
    scheduler.drop_run(2);
    CHECK(scheduler.tenants() == 1);
    CHECK(scheduler.queued("b") == 0);

    // Admitted: kept while its jobs are in flight, gone with the last release.
    auto grants = drain(scheduler);
    REQUIRE(grants.size() == 2);
    CHECK(scheduler.queued("a") == 0);
    CHECK(scheduler.tenants() == 1);
    scheduler.release(grants[0]);
    CHECK(scheduler.tenants() == 1);
    scheduler.release(grants[1]);
    CHECK(scheduler.tenants() == 0);
    scheduler.release(grants[1]);  // twice: no effect
    CHECK(scheduler.in_flight() == 0);

    // The same tenant comes back as new, and its counts start from zero.
    scheduler.add_run(4, "a", same_origin(1));
    CHECK(scheduler.queued("a") == 1);
    auto again = drain(scheduler);
    REQUIRE(again.size() == 1);
    scheduler.release(grants[0]);  // a stale grant of the forgotten record: no effect
    CHECK(scheduler.in_flight() == 1);
    scheduler.release(again[0]);
    CHECK(scheduler.tenants() == 0);
}

TEST_CASE("tenant counts stay exact through a random mix of operations") {
    constexpr std::size_t per_tenant = 3;
    Scheduler::Limits mixed = tenant_limits(7, per_tenant);
    mixed.per_origin = 2;
    Scheduler scheduler(mixed);
    const std::vector<std::string> tenants{"a", "b", "c", "d"};
    const std::vector<std::string> hosts{"http://x:80", "http://y:80", "http://z:80"};

    std::mt19937 random(5);
    std::map<std::uint64_t, std::string> tenant_of_run;
    std::map<std::uint64_t, std::size_t> queued_of_run;
    std::map<std::string, std::size_t> in_flight_of;
    std::vector<Scheduler::Grant> in_flight;
    std::uint64_t next_run = 1;
    for (int step = 0; step < 20000; ++step) {
        const auto action = random() % 10;
        if (action == 0) {
            const std::string& tenant = tenants[random() % tenants.size()];
            std::vector<std::string> origins(1 + random() % 20);
            for (auto& origin : origins) {
                origin = hosts[random() % hosts.size()];
            }
            scheduler.add_run(next_run, tenant, origins);
            tenant_of_run[next_run] = tenant;
            queued_of_run[next_run] = origins.size();
            ++next_run;
        } else if (action == 1 && !queued_of_run.empty()) {
            auto victim = queued_of_run.begin();
            std::advance(victim, static_cast<long>(random() % queued_of_run.size()));
            REQUIRE(scheduler.drop_run(victim->first).size() == victim->second);
            queued_of_run.erase(victim);
        } else if (action < 6) {
            if (auto grant = scheduler.next()) {
                const std::string& tenant = tenant_of_run.at(grant->run);
                REQUIRE(++in_flight_of[tenant] <= per_tenant);
                if (--queued_of_run.at(grant->run) == 0) {
                    queued_of_run.erase(grant->run);
                }
                in_flight.push_back(*grant);
            }
        } else if (!in_flight.empty()) {
            const std::size_t which = random() % in_flight.size();
            const Scheduler::Grant grant = in_flight[which];
            in_flight.erase(in_flight.begin() + static_cast<long>(which));
            scheduler.release(grant);
            --in_flight_of[tenant_of_run.at(grant.run)];
        }

        std::map<std::string, std::size_t> queued_of;
        for (const auto& [run, queued] : queued_of_run) {
            queued_of[tenant_of_run.at(run)] += queued;
        }
        std::size_t known = 0;
        for (const std::string& tenant : tenants) {
            REQUIRE(scheduler.queued(tenant) == queued_of[tenant]);
            if (queued_of[tenant] > 0 || in_flight_of[tenant] > 0) {
                ++known;
            }
        }
        REQUIRE(scheduler.tenants() == known);
        REQUIRE(scheduler.in_flight() == in_flight.size());
    }
}
