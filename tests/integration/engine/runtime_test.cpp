// The runtime end to end on loopback, without the HTTP server: runs against the in-process target
// server, checking outcomes, counters, limits, retries, deadlines, waits, cancel and shutdown.
#include "runtime_test_support.hpp"

#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>

namespace asio = boost::asio;
using namespace asyncscrape;
using namespace asyncscrape::test;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST_CASE("a run completes with every job's outcome, result and counters") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests{plain(target.url("/page")), plain(target.url("/status/404")),
                                      plain(target.url("/gzip")), plain(target.url("/redirect/2"))};
        const Run run = co_await run_to_end(runtime, std::move(requests));
        CHECK(run.status == RunStatus::completed);
        CHECK(run.total_requests == 4);
        CHECK(run.success_requests == 3);
        CHECK(run.failed_requests == 1);
        CHECK(run.finished_at);
        check_counters_add_up(run);

        const auto jobs = co_await jobs_of(runtime, run);
        REQUIRE(jobs.size() == 4);
        CHECK(jobs[0].status == JobStatus::success);
        CHECK(jobs[0].status_code == 200);
        CHECK(jobs[0].attempts == 1);
        CHECK(jobs[1].status == JobStatus::failed);
        CHECK(jobs[1].status_code == 404);
        CHECK(jobs[1].attempts == 1);  // a 404 is not retried
        CHECK(jobs[1].error == "HTTP status 404");

        auto gzip = co_await runtime.get_result(run.collection_id, run.run_id, jobs[2].job_id);
        REQUIRE(gzip);
        CHECK(gzip->body.find("<html") != std::string::npos);  // decoded
        auto redirected =
            co_await runtime.get_result(run.collection_id, run.run_id, jobs[3].job_id);
        REQUIRE(redirected);
        CHECK(redirected->final_url == target.url("/redirect/0"));
        CHECK(redirected->timings.total_ms > 0);
        CHECK(redirected->timings.total_ms >= redirected->timings.ttfb_ms);

        auto results =
            co_await runtime.results_after(run.collection_id, run.run_id, std::nullopt, -1, 10);
        REQUIRE(results);
        CHECK(results->size() == 4);
        auto failed_only = co_await runtime.results_after(run.collection_id, run.run_id,
                                                          JobStatus::failed, -1, 10);
        REQUIRE(failed_only->size() == 1);
        CHECK(failed_only->front().index == 1);
        co_await runtime.shutdown();
    }());
}

TEST_CASE("retries: retryable statuses are retried with backoff, others are not") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests{
            plain(target.url("/flaky/2?key=a")), plain(target.url("/status/503")),
            plain(target.url("/status/500")), plain(target.url("/status/429?retry_after=1"))};
        const Run run = co_await run_to_end(runtime, std::move(requests));
        const auto jobs = co_await jobs_of(runtime, run);
        CHECK(jobs[0].status == JobStatus::success);
        CHECK(jobs[0].attempts == 3);
        CHECK(jobs[1].status == JobStatus::failed);
        CHECK(jobs[1].attempts == 3);  // the first try and two retries
        CHECK(jobs[1].status_code == 503);
        CHECK(jobs[2].attempts == 1);
        CHECK(jobs[3].attempts == 3);
        CHECK(*jobs[3].duration_ms >= 2000);  // Retry-After: 1 honoured twice
        co_await runtime.shutdown();
    }());
}

TEST_CASE("retries never run past the deadline") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        // The target asks to come back in 5 s; the job has 1 s, so it ends after one attempt.
        std::vector<Request> requests{plain(target.url("/status/503?retry_after=5"), 1000)};
        const Run run = co_await run_to_end(runtime, std::move(requests));
        const auto jobs = co_await jobs_of(runtime, run);
        CHECK(jobs[0].status == JobStatus::failed);
        CHECK(jobs[0].attempts == 1);
        CHECK(*jobs[0].duration_ms < 1000);
        co_await runtime.shutdown();
    }());
}

TEST_CASE("the deadline makes a hanging job a timeout") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        Request long_wait = with_wait(target.url("/page"), 5000);
        long_wait.timeout_ms = 1000;
        std::vector<Request> requests{plain(target.url("/hang"), 1000),
                                      plain(target.url("/drip"), 1000), long_wait};
        const Run run = co_await run_to_end(runtime, std::move(requests));
        CHECK(run.timeout_requests == 3);
        check_counters_add_up(run);
        const auto jobs = co_await jobs_of(runtime, run);
        for (const auto& job : jobs) {
            CHECK(job.status == JobStatus::timeout);
            CHECK(*job.duration_ms >= 1000);
            CHECK(*job.duration_ms < 3000);
            CHECK(job.error);
        }
        co_await runtime.shutdown();
    }());
}

TEST_CASE("a waiting job holds no concurrency slot") {
    asio::io_context io;
    TargetServer target(io);
    RuntimeConfig config = local_config();
    config.max_concurrency = 1;
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests(2, with_wait(target.url("/page"), 1500));
        const Run run = co_await run_to_end(runtime, std::move(requests));
        CHECK(run.success_requests == 2);
        const auto jobs = co_await jobs_of(runtime, run);
        // With one slot, the second job could only start while the first was waiting.
        CHECK(*jobs[1].started_at < *jobs[0].finished_at);
        auto result = co_await runtime.get_result(run.collection_id, run.run_id, jobs[0].job_id);
        REQUIRE(result->actions.size() == 1);
        CHECK(result->actions[0].status == ActionStatus::ok);
        CHECK(result->actions[0].duration_ms >= 1500);
        co_await runtime.shutdown();
    }());
}

TEST_CASE("a job's waits run one after another, each for its own time, in jobs of any order") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        // Two waits in one job; jobs whose waits end in another order than they began.
        Request two_waits = with_wait(target.url("/page"), 300);
        two_waits.actions.push_back(two_waits.actions.front());
        two_waits.actions.back().time_ms = 200;
        std::vector<Request> requests{two_waits, with_wait(target.url("/page"), 600),
                                      with_wait(target.url("/page"), 100),
                                      with_wait(target.url("/page"), 0)};
        const Run run = co_await run_to_end(runtime, std::move(requests));
        CHECK(run.success_requests == 4);
        const auto jobs = co_await jobs_of(runtime, run);
        const std::vector<std::vector<std::int64_t>> waits{{300, 200}, {600}, {100}, {0}};
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            auto result =
                co_await runtime.get_result(run.collection_id, run.run_id, jobs[i].job_id);
            REQUIRE(result->actions.size() == waits[i].size());
            std::int64_t waited = 0;
            for (std::size_t a = 0; a < waits[i].size(); ++a) {
                CHECK(result->actions[a].status == ActionStatus::ok);
                CHECK(result->actions[a].duration_ms >= waits[i][a]);
                CHECK(result->actions[a].duration_ms < waits[i][a] + 200);
                waited += waits[i][a];
            }
            CHECK(*jobs[i].duration_ms >= waited);
        }
        // The 100 ms wait ended before the 600 ms one.
        CHECK(*jobs[2].finished_at < *jobs[1].finished_at);
        co_await runtime.shutdown();
    }());
}

TEST_CASE("a shutdown lets waiting jobs finish within the grace period") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        const Run started = co_await start(runtime, {2, with_wait(target.url("/page"), 400)});
        while (target.requests_seen("/page") < 2) {
            co_await sleep_for(milliseconds(10));
        }
        const auto shutdown_began = steady_clock::now();
        co_await runtime.shutdown(std::chrono::seconds(10));
        CHECK(steady_clock::now() - shutdown_began < std::chrono::seconds(5));
        auto paused = co_await runtime.get_run(started.collection_id, started.run_id);
        REQUIRE(paused);
        CHECK(paused->success_requests == 2);
    }());
}

TEST_CASE("a shutdown without grace ends waiting jobs at once, without an outcome") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        const Run started = co_await start(runtime, {3, with_wait(target.url("/page"), 20000)});
        while (target.requests_seen("/page") < 3) {
            co_await sleep_for(milliseconds(10));
        }
        co_await sleep_for(milliseconds(50));  // the responses read: the jobs wait
        const auto asked = steady_clock::now();
        co_await runtime.shutdown();
        CHECK(steady_clock::now() - asked < std::chrono::seconds(1));
        auto paused = co_await runtime.get_run(started.collection_id, started.run_id);
        REQUIRE(paused);
        CHECK(paused->status == RunStatus::in_progress);
        CHECK(paused->finished_requests() == 0);  // they wait again at the next start
    }());
    // Nothing of the waits is left to keep the io_context busy (a timer set 20 s ahead).
    target.stop();
    io.restart();
    io.run_for(std::chrono::seconds(5));
    CHECK(io.stopped());
}

TEST_CASE("the global and per-host limits hold, and a small run is not starved by a big one") {
    asio::io_context io;
    TargetServer big_target(io);
    TargetServer small_target(io);
    RuntimeConfig config = local_config();
    config.max_concurrency = 4;
    config.per_host = 3;
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> big(60, plain(big_target.url("/delay/50")));
        const Run big_run = co_await start(runtime, big);
        co_await sleep_for(milliseconds(100));
        std::vector<Request> small(3, plain(small_target.url("/delay/50")));
        const Run small_run = co_await run_to_end(runtime, std::move(small));
        CHECK(small_run.success_requests == 3);

        auto big_now = co_await runtime.get_run(big_run.collection_id, big_run.run_id);
        CHECK(big_now->status == RunStatus::in_progress);  // the small run did not wait for it
        auto big_done = co_await runtime.wait_run(big_run.collection_id, big_run.run_id);
        CHECK(big_done->success_requests == 60);
        CHECK(big_target.peak_open_connections() <= 3);  // per host
        co_await runtime.shutdown();
    }());
}

TEST_CASE("cancel stops a run promptly with consistent counters") {
    asio::io_context io;
    TargetServer target(io);
    RuntimeConfig config = local_config();
    config.max_concurrency = 5;
    config.per_host = 5;
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests(20, plain(target.url("/hang")));
        requests.push_back(with_wait(target.url("/page"), 20000));
        const Run run = co_await start(runtime, requests);
        co_await sleep_for(milliseconds(300));

        const auto asked = steady_clock::now();
        auto answer = co_await runtime.cancel_run(run.collection_id, run.run_id);
        REQUIRE(answer);
        auto ended = co_await runtime.wait_run(run.collection_id, run.run_id);
        CHECK(steady_clock::now() - asked < std::chrono::seconds(1));
        CHECK(ended->status == RunStatus::cancelled);
        CHECK(ended->cancelled_requests == 21);
        check_counters_add_up(*ended);

        const auto jobs = co_await jobs_of(runtime, run);
        for (const auto& job : jobs) {
            CHECK(job.status == JobStatus::cancelled);
        }
        auto again = co_await runtime.cancel_run(run.collection_id, run.run_id);
        REQUIRE_FALSE(again);
        CHECK(again.error().code == Errc::conflict);
        auto result = co_await runtime.get_result(run.collection_id, run.run_id, jobs[15].job_id);
        REQUIRE(result);
        CHECK(result->status == JobStatus::cancelled);
        co_await runtime.shutdown();
    }());
}

TEST_CASE("the private-address guard fails a job at once, without retries") {
    asio::io_context io;
    TargetServer target(io);
    RuntimeConfig config;  // the guard is on by default
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests{plain(target.url("/page"))};
        const Run run = co_await run_to_end(runtime, std::move(requests));
        CHECK(run.failed_requests == 1);
        const auto jobs = co_await jobs_of(runtime, run);
        CHECK(jobs[0].error == "blocked: private address");
        CHECK(jobs[0].attempts == 1);
        CHECK(target.requests_seen("/page") == 0);
        co_await runtime.shutdown();
    }());
}

TEST_CASE("progress is observed without polling, and counters only grow") {
    asio::io_context io;
    TargetServer target(io);
    RuntimeConfig config = local_config();
    config.max_concurrency = 1;
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests(5, plain(target.url("/delay/20")));
        const Run run = co_await start(runtime, std::move(requests));
        Run seen = run;
        int changes = 0;
        while (!seen.ended()) {
            auto now = co_await runtime.wait_progress(run.collection_id, run.run_id, seen);
            REQUIRE(now);
            CHECK(now->finished_requests() >= seen.finished_requests());
            seen = *now;
            ++changes;
        }
        CHECK(changes >= 2);
        CHECK(seen.success_requests == 5);
        co_await runtime.shutdown();
    }());
}

TEST_CASE("shutdown stops jobs in flight without ending their run") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests(10, plain(target.url("/hang")));
        const Run run = co_await start(runtime, std::move(requests));
        co_await sleep_for(milliseconds(200));
        const auto asked = steady_clock::now();
        co_await runtime.shutdown();
        CHECK(steady_clock::now() - asked < std::chrono::seconds(1));
        auto after = co_await runtime.get_run(run.collection_id, run.run_id);
        REQUIRE(after);
        CHECK(after->status == RunStatus::in_progress);
        CHECK(after->cancelled_requests == 0);
        auto refused = co_await runtime.start_run(run.collection_id);
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == Errc::unavailable);
    }());
}

TEST_CASE("a collection replaced while a run goes on leaves the run its own requests") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests{plain(target.url("/delay/200"))};
        const Run first = co_await start(runtime, std::move(requests));
        CollectionPatch patch;
        patch.requests =
            std::vector<Request>{plain(target.url("/page")), plain(target.url("/page"))};
        auto updated = co_await runtime.update_collection(first.collection_id, patch);
        REQUIRE(updated);
        CHECK(updated->total_requests() == 2);

        auto first_done = co_await runtime.wait_run(first.collection_id, first.run_id);
        CHECK(first_done->total_requests == 1);
        CHECK(target.requests_seen("/delay/200") == 1);
        auto second = co_await runtime.start_run(first.collection_id);
        auto second_done = co_await runtime.wait_run(first.collection_id, second->run_id);
        CHECK(second_done->success_requests == 2);

        auto deleted = co_await runtime.delete_collection(first.collection_id);
        REQUIRE(deleted);
        auto gone = co_await runtime.get_run(first.collection_id, first.run_id);
        REQUIRE_FALSE(gone);
        CHECK(gone.error().code == Errc::not_found);
        co_await runtime.shutdown();
    }());
}

TEST_CASE("a rename keeps the request list as stored, and a refused patch changes nothing") {
    asio::io_context io;
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        CollectionSpec spec;
        spec.name = "before";
        for (int i = 0; i < 3; ++i) {
            Request request;
            request.url = "Example.com/" + std::to_string(i);
            spec.requests.push_back(std::move(request));
        }
        const auto created = co_await runtime.create_collection(std::move(spec));
        REQUIRE(created);

        CollectionPatch rename;
        rename.name = "after";
        const auto renamed = co_await runtime.update_collection(created->id, rename);
        REQUIRE(renamed);
        CHECK(renamed->name == "after");
        // The very list that was stored: neither copied nor checked again.
        CHECK(renamed->requests == created->requests);
        CHECK((*renamed->requests)[2].url == "https://example.com/2");

        CollectionPatch empty_name;
        empty_name.name = "";
        const auto no_name = co_await runtime.update_collection(created->id, empty_name);
        REQUIRE_FALSE(no_name);
        CHECK(no_name.error().detail.starts_with("name: "));
        CollectionPatch bad_url;
        Request ftp;
        ftp.url = "ftp://example.com/";
        bad_url.name = "not applied either";
        bad_url.requests = std::vector<Request>{ftp};
        const auto no_url = co_await runtime.update_collection(created->id, bad_url);
        REQUIRE_FALSE(no_url);
        CHECK(no_url.error().detail.starts_with("requests[0].url: "));

        const auto stored = co_await runtime.get_collection(created->id);
        REQUIRE(stored);
        CHECK(stored->name == "after");
        CHECK(stored->requests == created->requests);
        co_await runtime.shutdown();
    }());
}

TEST_CASE("a shutdown lets jobs in flight finish within the grace period, and starts no more") {
    asio::io_context io;
    TargetServer target(io);
    RuntimeConfig config = local_config();
    config.per_host = 2;
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests;
        for (int i = 0; i < 6; ++i) {
            requests.push_back(plain(target.url("/delay/600")));
        }
        const Run started = co_await start(runtime, std::move(requests));
        while (target.requests_seen("/delay/600") < 2) {
            co_await sleep_for(milliseconds(10));
        }
        const auto shutdown_began = steady_clock::now();
        co_await runtime.shutdown(std::chrono::seconds(10));
        CHECK(steady_clock::now() - shutdown_began < std::chrono::seconds(5));
        CHECK(target.requests_seen("/delay/600") == 2);
        auto paused = co_await runtime.get_run(started.collection_id, started.run_id);
        REQUIRE(paused);
        CHECK(paused->status == RunStatus::in_progress);
        CHECK(paused->success_requests == 2);
    }());
}

TEST_CASE("a shutdown without grace stops jobs in flight at once") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests{plain(target.url("/hang"))};
        const Run started = co_await start(runtime, std::move(requests));
        while (target.requests_seen("/hang") < 1) {
            co_await sleep_for(milliseconds(10));
        }
        co_await runtime.shutdown();
        auto paused = co_await runtime.get_run(started.collection_id, started.run_id);
        REQUIRE(paused);
        CHECK(paused->status == RunStatus::in_progress);
        CHECK(paused->finished_requests() == 0);
    }());
}
