// Runs resumed from the durable store, as after a restart: a runtime shut down in the middle of a
// run leaves it in progress in the store, and the next runtime on the same directory completes
// it, keeping the outcomes it had.
#include "runtime_test_support.hpp"

#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>

namespace asio = boost::asio;
using namespace asyncscrape;
using namespace asyncscrape::test;
using std::chrono::milliseconds;

namespace {

std::shared_ptr<Store> durable_store(asio::io_context& io, const TempDir& data) {
    auto store = open_sqlite_store(io.get_executor(), data.string());
    INFO((store ? std::string() : store.error().detail));
    REQUIRE(store);
    return std::move(store).value();
}

RuntimeConfig slow_config() {
    RuntimeConfig config = local_config();
    config.per_host = 4;
    return config;
}

// Starts a run of `count` slow jobs and shuts the runtime down once `done` have succeeded.
asio::awaitable<Run> run_partly(Runtime& runtime, const TargetServer& target, int count,
                                std::int64_t done) {
    std::vector<Request> requests;
    for (int i = 0; i < count; ++i) {
        requests.push_back(plain(target.url("/delay/60")));
    }
    const Run started = co_await start(runtime, std::move(requests));
    for (Run seen = started; seen.success_requests < done;) {
        auto next = co_await runtime.wait_progress(started.collection_id, started.run_id, seen);
        REQUIRE(next);
        seen = *next;
    }
    co_await runtime.shutdown();
    auto paused = co_await runtime.get_run(started.collection_id, started.run_id);
    REQUIRE(paused);
    CHECK(paused->status == RunStatus::in_progress);
    CHECK(paused->success_requests < count);
    co_return started;
}

asio::awaitable<void> resume_and_finish(Runtime& runtime, const Run& started) {
    const std::size_t resumed = co_await runtime.resume_runs();
    CHECK(resumed == 1);
    auto ended = co_await runtime.wait_run(started.collection_id, started.run_id);
    REQUIRE(ended);
    CHECK(ended->status == RunStatus::completed);
    CHECK(ended->success_requests == ended->total_requests);
    const auto jobs = co_await jobs_of(runtime, *ended);
    std::int64_t with_result = 0;
    for (const Job& job : jobs) {
        CHECK(job.status == JobStatus::success);
        auto result =
            co_await runtime.get_result(started.collection_id, started.run_id, job.job_id);
        with_result += result && result->status_code == 200;
    }
    CHECK(with_result == ended->total_requests);
    co_await runtime.shutdown();
}

}  // namespace

TEST_CASE("a run interrupted by a shutdown resumes from the durable store and completes") {
    const TempDir data;
    asio::io_context io;
    TargetServer target(io);
    Run started;
    {
        Runtime first(io.get_executor(), slow_config(), durable_store(io, data));
        started = run_test_coroutine(io, run_partly(first, target, 40, 8));
    }
    Runtime second(io.get_executor(), slow_config(), durable_store(io, data));
    run_test_coroutine(io, resume_and_finish(second, started));
}

TEST_CASE("a memory store has no runs to resume") {
    asio::io_context io;
    Runtime runtime(io.get_executor(), local_config());
    CHECK(run_test_coroutine(io, runtime.resume_runs()) == 0);
}
