// The runtime over the durable store, whose writes complete on another thread. Runs resumed as
// after a restart: a runtime shut down in the middle of a run leaves it in progress in the store,
// and the next runtime on the same directory completes it, keeping the outcomes it had; a job
// whose attempt was cut short counts it. And a run's end, which is live before it is written.
#include "runtime_test_support.hpp"

#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

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

struct PausedRun {
    Run run;
    std::int64_t interrupted = 0;  // jobs left running in the store, their attempt cut short
};

// Starts a run of `count` slow jobs and shuts the runtime down once `done` have succeeded.
asio::awaitable<PausedRun> run_partly(Runtime& runtime, const TargetServer& target, int count,
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
    const auto running = co_await runtime.list_jobs(started.collection_id, started.run_id,
                                                    JobStatus::running, {0, count});
    REQUIRE(running);
    for (const Job& job : running->items) {
        CHECK(job.attempts == 1);
    }
    co_return PausedRun{started, running->total};
}

// Completes the run; the jobs whose attempt was cut short count it among their attempts.
asio::awaitable<void> resume_and_finish(Runtime& runtime, const PausedRun& paused) {
    const Run& started = paused.run;
    const std::size_t resumed = co_await runtime.resume_runs();
    CHECK(resumed == 1);
    auto ended = co_await runtime.wait_run(started.collection_id, started.run_id);
    REQUIRE(ended);
    CHECK(ended->status == RunStatus::completed);
    CHECK(ended->success_requests == ended->total_requests);
    const auto jobs = co_await jobs_of(runtime, *ended);
    std::int64_t with_result = 0;
    std::int64_t attempted_twice = 0;
    for (const Job& job : jobs) {
        CHECK(job.status == JobStatus::success);
        CHECK((job.attempts == 1 || job.attempts == 2));
        attempted_twice += job.attempts == 2;
        auto result =
            co_await runtime.get_result(started.collection_id, started.run_id, job.job_id);
        with_result += result && result->status_code == 200;
    }
    CHECK(with_result == ended->total_requests);
    CHECK(attempted_twice == paused.interrupted);
    co_await runtime.shutdown();
}

// Cancels a run of three jobs in flight and shuts down at once, before the run's end is written,
// as a crash right after the cancel's answer would.
asio::awaitable<Run> cancel_then_stop(Runtime& runtime, const TargetServer& target) {
    std::vector<Request> requests(3, plain(target.url("/delay/20000")));
    const Run started = co_await start(runtime, std::move(requests));
    for (std::int64_t running = 0; running < 3;) {
        co_await sleep_for(milliseconds(10));
        const auto jobs = co_await runtime.list_jobs(started.collection_id, started.run_id,
                                                     JobStatus::running, {});
        REQUIRE(jobs);
        running = jobs->total;
    }
    const auto cancelled = co_await runtime.cancel_run(started.collection_id, started.run_id);
    REQUIRE(cancelled);
    co_await runtime.shutdown();
    const auto stored = co_await runtime.get_run(started.collection_id, started.run_id);
    REQUIRE(stored);
    CHECK(stored->status == RunStatus::in_progress);
    co_return started;
}

// The cancel was acknowledged: the restarted runtime ends the run cancelled, running nothing.
asio::awaitable<void> resume_cancelled(Runtime& runtime, const Run& started) {
    const std::size_t resumed = co_await runtime.resume_runs();
    CHECK(resumed == 1);
    const auto ended = co_await runtime.wait_run(started.collection_id, started.run_id);
    REQUIRE(ended);
    CHECK(ended->status == RunStatus::cancelled);
    CHECK(ended->cancelled_requests == 3);
    CHECK(ended->finished_requests() == 3);
    const auto jobs = co_await jobs_of(runtime, *ended);
    for (const Job& job : jobs) {
        CHECK(job.status == JobStatus::cancelled);
    }
    co_await runtime.shutdown();
}

// Polls the run, yielding between polls, and cancels it the moment it is seen ended: with this
// store that moment falls, nearly always, while the run's end is still being written.
asio::awaitable<void> cancel_as_it_ends(Runtime& runtime, const TargetServer& target) {
    std::vector<Request> requests{plain(target.url("/page"))};
    const Run started = co_await start(runtime, std::move(requests));
    for (;;) {
        const auto seen = co_await runtime.get_run(started.collection_id, started.run_id);
        REQUIRE(seen);
        if (seen->ended()) {
            break;
        }
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    }
    const auto again = co_await runtime.cancel_run(started.collection_id, started.run_id);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == Errc::conflict);
    const auto ended = co_await runtime.get_run(started.collection_id, started.run_id);
    REQUIRE(ended);
    CHECK(ended->status == RunStatus::completed);
    CHECK(ended->success_requests == 1);
    co_await runtime.shutdown();
}

// A run whose notice is refused (HTTP 500) once; stops the runtime while it waits to try again.
asio::awaitable<Run> run_with_refused_notice(Runtime& runtime, const TargetServer& target) {
    CollectionSpec spec;
    spec.name = "notified";
    spec.requests.push_back(plain(target.url("/page")));
    spec.callback_url = target.url("/status/500");
    auto collection = co_await runtime.create_collection(std::move(spec));
    REQUIRE(collection);
    auto run = co_await runtime.start_run(collection->id);
    REQUIRE(run);
    auto ended = co_await runtime.wait_run(collection->id, run->run_id);
    REQUIRE(ended);
    // The store says where delivery stands once the first try has failed.
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    for (;;) {
        const auto pending = co_await runtime.store().pending_callbacks();
        if ((!pending.empty() && pending[0].attempts == 1) || Clock::now() > deadline) {
            break;
        }
        co_await sleep_for(milliseconds(20));
    }
    co_await runtime.shutdown();
    co_return *ended;
}

asio::awaitable<void> resume_notice_then_stop(Runtime& runtime, Run ended) {
    const auto pending = co_await runtime.store().pending_callbacks();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].run.run_id == ended.run_id);
    CHECK(pending[0].attempts == 1);
    REQUIRE(pending[0].next_try);
    CHECK(*pending[0].next_try > Clock::now());  // the second try is 30 s after the first
    co_await runtime.resume_runs();
    co_await runtime.shutdown();
    const auto still = co_await runtime.store().pending_callbacks();
    REQUIRE(still.size() == 1);
    CHECK(still[0].attempts == 1);
    const auto run = co_await runtime.get_run(ended.collection_id, ended.run_id);
    REQUIRE(run);
    CHECK(run->callback_status == CallbackStatus::pending);
}

}  // namespace

TEST_CASE("a webhook not delivered when the runtime stops is still due at the next start") {
    const TempDir data;
    asio::io_context io;
    TargetServer target(io);
    Run ended;
    {
        Runtime first(io.get_executor(), local_config(), durable_store(io, data));
        ended = run_test_coroutine(io, run_with_refused_notice(first, target));
    }
    Runtime second(io.get_executor(), local_config(), durable_store(io, data));
    run_test_coroutine(io, resume_notice_then_stop(second, ended));
}

TEST_CASE("a run seen ended cannot be cancelled, even while its end is being written") {
    const TempDir data;
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config(), durable_store(io, data));
    run_test_coroutine(io, cancel_as_it_ends(runtime, target));
}

TEST_CASE("a cancel answered before a stop ends the run cancelled at the next start") {
    const TempDir data;
    asio::io_context io;
    TargetServer target(io);
    Run started;
    {
        Runtime first(io.get_executor(), slow_config(), durable_store(io, data));
        started = run_test_coroutine(io, cancel_then_stop(first, target));
    }
    Runtime second(io.get_executor(), slow_config(), durable_store(io, data));
    run_test_coroutine(io, resume_cancelled(second, started));
}

TEST_CASE("a run interrupted by a shutdown resumes from the durable store and completes") {
    const TempDir data;
    asio::io_context io;
    TargetServer target(io);
    PausedRun paused;
    {
        Runtime first(io.get_executor(), slow_config(), durable_store(io, data));
        paused = run_test_coroutine(io, run_partly(first, target, 40, 8));
    }
    CHECK(paused.interrupted > 0);
    Runtime second(io.get_executor(), slow_config(), durable_store(io, data));
    run_test_coroutine(io, resume_and_finish(second, paused));
}

TEST_CASE("a memory store has no runs to resume") {
    asio::io_context io;
    Runtime runtime(io.get_executor(), local_config());
    CHECK(run_test_coroutine(io, runtime.resume_runs()) == 0);
}
