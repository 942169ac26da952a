// The retention sweep of the runtime: runs that ended longer ago than the retention period go,
// with their jobs and results, while runs in progress stay; shutdown ends the sweep at once.
#include "runtime_test_support.hpp"

#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>

namespace asio = boost::asio;
using namespace asyncscrape;
using namespace asyncscrape::test;
using std::chrono::milliseconds;

namespace {

RuntimeConfig short_retention() {
    RuntimeConfig config = local_config();
    config.retention = std::chrono::seconds(1);
    config.retention_sweep_interval = milliseconds(100);
    return config;
}

// Polls until the run is no longer found, for up to `limit`; answers whether it went.
asio::awaitable<bool> wait_until_removed(Runtime& runtime, const Run& run, milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        const auto found = co_await runtime.get_run(run.collection_id, run.run_id);
        if (!found) {
            CHECK(found.error().code == Errc::not_found);
            co_return true;
        }
        co_await sleep_for(milliseconds(50));
    }
    co_return false;
}

asio::awaitable<void> sweep_ended_runs(Runtime& runtime, const TargetServer& target) {
    // Named lists: GCC 12 miscompiles braced lists inside a co_await expression.
    std::vector<Request> quick{plain(target.url("/page"))};
    std::vector<Request> slow{plain(target.url("/delay/5000"))};
    const Run ended = co_await run_to_end(runtime, std::move(quick));
    REQUIRE(ended.finished_at);
    const auto jobs = co_await jobs_of(runtime, ended);
    REQUIRE(jobs.size() == 1);
    const Run running = co_await start(runtime, std::move(slow));

    // Within the retention period the run stays, though sweeps have come and gone.
    co_await sleep_for(milliseconds(300));
    CHECK(co_await runtime.get_run(ended.collection_id, ended.run_id));

    REQUIRE(co_await wait_until_removed(runtime, ended, milliseconds(5000)));
    CHECK(Clock::now() - *ended.finished_at >= std::chrono::seconds(1));
    const auto job = jobs.front();
    const auto result = co_await runtime.get_result(ended.collection_id, ended.run_id, job.job_id);
    REQUIRE_FALSE(result);
    CHECK(result.error().code == Errc::not_found);
    const auto listed =
        co_await runtime.list_jobs(ended.collection_id, ended.run_id, std::nullopt, PageQuery{});
    REQUIRE_FALSE(listed);
    CHECK(listed.error().code == Errc::not_found);
    const auto results =
        co_await runtime.results_after(ended.collection_id, ended.run_id, std::nullopt, -1, 10);
    REQUIRE_FALSE(results);
    CHECK(results.error().code == Errc::not_found);

    // The run in progress and both collections are still there.
    const auto still = co_await runtime.get_run(running.collection_id, running.run_id);
    REQUIRE(still);
    CHECK(still->status == RunStatus::in_progress);
    CHECK(co_await runtime.get_collection(ended.collection_id));
    co_await runtime.shutdown();
}

// Answers kept for Idempotency-Keys go once past their lifetime, whatever the retention period.
asio::awaitable<void> sweep_old_idempotent_replies(Runtime& runtime) {
    Store& store = runtime.store();
    const IdempotentReply old{
        "acme", "old", "digest",
        201,    "{}",  Clock::now() - idempotent_reply_lifetime - std::chrono::minutes(1)};
    const IdempotentReply recent{"acme", "recent", "digest", 201, "{}", Clock::now()};
    co_await store.put_idempotent_reply(old);
    co_await store.put_idempotent_reply(recent);
    const auto deadline = Clock::now() + milliseconds(5000);
    auto found_old = co_await store.find_idempotent_reply("acme", "old");
    while (found_old && Clock::now() < deadline) {
        co_await sleep_for(milliseconds(50));
        found_old = co_await store.find_idempotent_reply("acme", "old");
    }
    CHECK_FALSE(found_old);
    const auto found_recent = co_await store.find_idempotent_reply("acme", "recent");
    CHECK(found_recent);
    co_await runtime.shutdown();
}

}  // namespace

TEST_CASE("the retention sweep removes runs that ended long enough ago, not runs in progress") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), short_retention());
    run_test_coroutine(io, sweep_ended_runs(runtime, target));
}

TEST_CASE("the retention sweep drops answers kept for Idempotency-Keys past their lifetime") {
    asio::io_context io;
    Runtime runtime(io.get_executor(), short_retention());
    run_test_coroutine(io, sweep_old_idempotent_replies(runtime));
}

TEST_CASE("shutdown ends the retention sweep: the io_context runs out of work") {
    asio::io_context io;
    Runtime runtime(io.get_executor(), short_retention());
    run_test_coroutine(io, sleep_for(milliseconds(250)));  // a sweep or two have happened
    run_test_coroutine(io, runtime.shutdown());
    io.restart();
    io.run_for(std::chrono::seconds(5));
    CHECK(io.stopped());
}

TEST_CASE("without a retention period there is no sweep to keep the io_context busy") {
    asio::io_context io;
    RuntimeConfig config = local_config();
    config.retention = std::chrono::seconds(0);
    Runtime runtime(io.get_executor(), config);
    io.run_for(std::chrono::seconds(5));
    CHECK(io.stopped());
}
