// Tenants through the runtime: each sees only its own, they share the slots in turn, and the
// per-tenant limits hold.
#include "runtime_test_support.hpp"

#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace asio = boost::asio;
using namespace asyncscrape;
using namespace asyncscrape::test;
using std::chrono::milliseconds;

namespace {

// Larger than one time slice of queueing, on any machine.
constexpr int large_run = 50000;

// Creates a collection of `requests` for `tenant` and starts a run of it.
asio::awaitable<Outcome<Run>> start_for(Runtime& runtime, std::vector<Request> requests,
                                        TenantId tenant) {
    CollectionSpec spec;
    spec.name = "tenant test";
    spec.requests = std::move(requests);
    auto collection = co_await runtime.create_collection(std::move(spec), tenant);
    REQUIRE(collection);
    const RunOptions options;
    co_return co_await runtime.start_run(collection->id, options, std::move(tenant));
}

std::vector<Request> pages(const TargetServer& target, std::string_view path, int count) {
    return std::vector<Request>(static_cast<std::size_t>(count), plain(target.url(path)));
}

// The big tenant's five runs take one turn together, as the small tenant's one run does: when the
// small run has ended, the big tenant has had about as many slots, not five times as many.
asio::awaitable<void> small_run_beside_big_ones(Runtime& runtime, const TargetServer& target) {
    const TenantId big_tenant = "big";
    const TenantId small_tenant = "small";
    std::vector<Run> big_runs;
    for (int i = 0; i < 5; ++i) {
        auto requests = pages(target, "/delay/20", 400);
        const auto big = co_await start_for(runtime, std::move(requests), big_tenant);
        REQUIRE(big);
        big_runs.push_back(*big);
    }
    auto requests = pages(target, "/delay/20", 40);
    const auto small = co_await start_for(runtime, std::move(requests), small_tenant);
    REQUIRE(small);
    const auto small_end =
        co_await runtime.wait_run(small->collection_id, small->run_id, small_tenant);
    REQUIRE(small_end);
    CHECK(small_end->success_requests == 40);
    std::int64_t big_finished = 0;
    for (const Run& big : big_runs) {
        const auto now = co_await runtime.get_run(big.collection_id, big.run_id, big_tenant);
        REQUIRE(now);
        CHECK(now->status == RunStatus::in_progress);
        big_finished += now->finished_requests();
        co_await runtime.cancel_run(big.collection_id, big.run_id, big_tenant);
    }
    // Turns between runs alone would have given the big tenant five slots for each of the small
    // one's: about 200 jobs.
    CHECK(big_finished < 100);
    co_await runtime.shutdown();
}

asio::awaitable<void> queue_limit_per_tenant(Runtime& runtime, const TargetServer& target) {
    const TenantId acme = "acme";
    const TenantId globex = "globex";
    auto slow = pages(target, "/delay/1000", 80);
    const auto first = co_await start_for(runtime, std::move(slow), acme);
    REQUIRE(first);
    // 79 or 80 queued (one may have started): 30 more would pass 100.
    auto thirty = pages(target, "/page", 30);
    const auto second = co_await start_for(runtime, thirty, acme);
    REQUIRE_FALSE(second);
    CHECK(second.error().code == Errc::over_limit);
    CHECK_THAT(second.error().detail,
               Catch::Matches("tenant queue: (79|80) jobs queued and 30 more would pass the "
                              "limit of 100"));
    // Another tenant's queue is its own; a run that fits is started.
    const auto theirs = co_await start_for(runtime, thirty, globex);
    CHECK(theirs);
    auto ten = pages(target, "/page", 10);
    const auto fits = co_await start_for(runtime, std::move(ten), acme);
    CHECK(fits);
    co_await runtime.cancel_run(first->collection_id, first->run_id, acme);
    co_await runtime.shutdown();
}

// A large run is handed to the scheduler in slices after its start. Its jobs count against its
// tenant's queue from the start to their admission; a cancel before or during the queueing ends
// the run with every job counted, and frees the queue.
asio::awaitable<void> cancel_while_queued(Runtime& runtime, const TargetServer& target) {
    const TenantId acme = "acme";
    CollectionSpec spec;
    spec.name = "large";
    spec.requests = pages(target, "/delay/1000", large_run);
    const auto collection = co_await runtime.create_collection(std::move(spec), acme);
    REQUIRE(collection);
    asio::steady_timer pause(co_await asio::this_coro::executor);
    for (const milliseconds cancel_after : {milliseconds(0), milliseconds(2)}) {
        // The queue (60,000) takes one large run, not two: the first run's jobs still count.
        const auto run = co_await runtime.start_run(collection->id, RunOptions{}, acme);
        REQUIRE(run);
        const auto second = co_await runtime.start_run(collection->id, RunOptions{}, acme);
        REQUIRE_FALSE(second);
        CHECK(second.error().code == Errc::over_limit);

        pause.expires_after(cancel_after);
        co_await pause.async_wait(asio::use_awaitable);
        co_await runtime.cancel_run(collection->id, run->run_id, acme);
        const auto ended = co_await runtime.wait_run(collection->id, run->run_id, acme);
        REQUIRE(ended);
        CHECK(ended->status == RunStatus::cancelled);
        CHECK(ended->finished_requests() == large_run);
        // The jobs in flight were stopped: none lived to its response, a second away.
        CHECK(ended->success_requests == 0);
    }
    // Nothing is left counted against the queue: the collection's size fits again.
    const auto again = co_await runtime.start_run(collection->id, RunOptions{}, acme);
    REQUIRE(again);
    co_await runtime.cancel_run(collection->id, again->run_id, acme);
    co_await runtime.shutdown();
}

asio::awaitable<void> concurrency_limit_per_tenant(Runtime& runtime, const TargetServer& target) {
    const TenantId acme = "acme";
    const TenantId globex = "globex";
    auto twelve = pages(target, "/delay/100", 12);
    const auto limited = co_await start_for(runtime, twelve, acme);
    REQUIRE(limited);
    const auto other = co_await start_for(runtime, std::move(twelve), globex);
    REQUIRE(other);
    std::size_t most_running = 0;
    std::size_t most_running_other = 0;
    for (;;) {
        const auto jobs = co_await runtime.list_jobs(limited->collection_id, limited->run_id,
                                                     JobStatus::running, PageQuery{}, acme);
        const auto others = co_await runtime.list_jobs(other->collection_id, other->run_id,
                                                       JobStatus::running, PageQuery{}, globex);
        REQUIRE(jobs);
        REQUIRE(others);
        most_running = std::max<std::size_t>(most_running, jobs->items.size());
        most_running_other = std::max<std::size_t>(most_running_other, others->items.size());
        const auto now = co_await runtime.get_run(limited->collection_id, limited->run_id, acme);
        REQUIRE(now);
        if (now->ended()) {
            CHECK(now->success_requests == 12);
            break;
        }
        co_await sleep_for(milliseconds(10));
    }
    CHECK(most_running <= 2);
    CHECK(most_running >= 1);
    CHECK(most_running_other <= 2);
    co_await runtime.shutdown();
}

}  // namespace

TEST_CASE("a tenant's small run beside another tenant's big runs ends in about its own time") {
    asio::io_context io;
    TargetServer target(io);
    RuntimeConfig config = local_config();
    config.max_concurrency = 4;
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, small_run_beside_big_ones(runtime, target), std::chrono::seconds(60));
}

TEST_CASE("a run that would pass its tenant's queue limit is refused as over the limit") {
    asio::io_context io;
    TargetServer target(io);
    RuntimeConfig config = local_config();
    config.max_concurrency = 1;
    config.tenant_queue = 100;
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, queue_limit_per_tenant(runtime, target), std::chrono::seconds(60));
}

TEST_CASE(
    "a large run cancelled before or while it is queued ends with every job counted, and "
    "frees its tenant's queue") {
    asio::io_context io;
    TargetServer target(io);
    RuntimeConfig config = local_config();
    config.max_concurrency = 2;
    config.tenant_queue = 60000;
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, cancel_while_queued(runtime, target), std::chrono::seconds(120));
}

TEST_CASE("a tenant has at most its concurrency limit of jobs in flight") {
    asio::io_context io;
    TargetServer target(io);
    RuntimeConfig config = local_config();
    config.max_concurrency = 16;
    config.tenant_concurrency = 2;
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, concurrency_limit_per_tenant(runtime, target), std::chrono::seconds(60));
}
