// Browser jobs through the runtime, with the real Chromium against the loopback target: pages
// rendered beside plain jobs, screenshots stored and served, the tab limit that never holds up
// plain jobs, a browser killed in the middle of a run, and no browser at all.
#include "runtime_test_support.hpp"

#include "support/png_image.hpp"
#include "support/process_table.hpp"
#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"

#include <boost/asio/io_context.hpp>

#include <signal.h>
#include <unistd.h>

namespace asio = boost::asio;
using namespace asyncscrape;
using namespace asyncscrape::test;
using std::chrono::milliseconds;

namespace {

Request in_browser(std::string url, std::int64_t wait_ms = 0) {
    Request request = wait_ms > 0 ? with_wait(std::move(url), wait_ms) : plain(std::move(url));
    request.browser = true;
    return request;
}

// The browsers this test process started (not their helpers, which are their children).
std::vector<pid_t> our_browsers() {
    return browsers_of(::getpid());
}

asio::awaitable<JobResult> result_of(Runtime& runtime, const Run& run, const Job& job) {
    auto result = co_await runtime.get_result(run.collection_id, run.run_id, job.job_id);
    REQUIRE(result);
    co_return std::move(*result);
}

// Waits until the target has served `path` `count` times.
asio::awaitable<void> wait_until_served(const TargetServer& target, const std::string& path,
                                        std::size_t count) {
    while (target.requests_seen(path) < count) {
        co_await sleep_for(milliseconds(20));
    }
}

}  // namespace

TEST_CASE("browser jobs render pages beside plain jobs, with their screenshots stored",
          "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        Request rendered = in_browser(target.url("/scripted?delay_ms=100"), 600);
        rendered.screenshot = true;
        std::vector<Request> requests{rendered, plain(target.url("/scripted?delay_ms=100")),
                                      in_browser(target.url("/status/404"))};
        const Run run = co_await run_to_end(runtime, std::move(requests));
        CHECK(run.status == RunStatus::completed);
        CHECK(run.success_requests == 2);
        CHECK(run.failed_requests == 1);
        const auto jobs = co_await jobs_of(runtime, run);

        const auto page = co_await result_of(runtime, run, jobs[0]);
        CHECK(page.status_code == 200);
        CHECK(page.body.find("id=\"status\">written by script") != std::string::npos);
        REQUIRE(page.actions.size() == 1);
        CHECK(page.actions[0].status == ActionStatus::ok);
        CHECK(page.screenshot == "/v1/async/collections/" + run.collection_id + "/runs/" +
                                     run.run_id + "/jobs/" + jobs[0].job_id + "/screenshot");
        const auto png =
            co_await runtime.get_screenshot(run.collection_id, run.run_id, jobs[0].job_id);
        REQUIRE(png);
        const auto image = decode_png(*png);
        INFO((std::holds_alternative<std::string>(image) ? std::get<std::string>(image) : ""));
        REQUIRE(std::holds_alternative<PngImage>(image));
        CHECK(std::get<PngImage>(image).width == 1280);
        CHECK(std::get<PngImage>(image).height == 800);

        // The same page fetched plainly has only what the server sent.
        const auto fetched = co_await result_of(runtime, run, jobs[1]);
        CHECK(fetched.body.find("id=\"status\">loading") != std::string::npos);
        CHECK_FALSE(fetched.screenshot);
        const auto none =
            co_await runtime.get_screenshot(run.collection_id, run.run_id, jobs[1].job_id);
        REQUIRE_FALSE(none);
        CHECK(none.error().code == Errc::not_found);

        CHECK(jobs[2].status == JobStatus::failed);
        CHECK(jobs[2].status_code == 404);
        CHECK(jobs[2].error == "HTTP status 404");
        co_await runtime.shutdown();
    }());
}

TEST_CASE("browser jobs queue for the tabs without holding up plain jobs", "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    RuntimeConfig config = local_config();
    config.browser_tabs = 1;
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests;
        for (int i = 0; i < 3; ++i) {
            requests.push_back(in_browser(target.url("/page"), 1500));
        }
        for (int i = 0; i < 20; ++i) {
            requests.push_back(plain(target.url("/page")));
        }
        const Run started = co_await start(runtime, std::move(requests));
        for (Run seen = started; seen.success_requests < 20;) {
            auto next = co_await runtime.wait_progress(started.collection_id, started.run_id, seen);
            REQUIRE(next);
            seen = *next;
        }
        // Every plain job is done while the browser jobs still take their turns at one tab.
        const auto jobs = co_await jobs_of(runtime, started);
        std::size_t browser_running = 0;
        std::size_t browser_done = 0;
        for (std::size_t i = 0; i < 3; ++i) {
            browser_running += jobs[i].status == JobStatus::running;
            browser_done += is_terminal(jobs[i].status);
        }
        CHECK(browser_running <= 1);
        CHECK(browser_done < 3);
        for (std::size_t i = 3; i < jobs.size(); ++i) {
            CHECK(jobs[i].status == JobStatus::success);
        }

        const auto ended = co_await runtime.wait_run(started.collection_id, started.run_id);
        REQUIRE(ended);
        CHECK(ended->success_requests == 23);
        co_await runtime.shutdown();
    }());
}

TEST_CASE("chromium killed in the middle of a run: every job ends, the next browser job works",
          "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    Runtime runtime(io.get_executor(), local_config());
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests;
        for (int i = 0; i < 4; ++i) {
            requests.push_back(in_browser(target.url("/page"), 1500));
        }
        requests.push_back(plain(target.url("/delay/2500")));
        const Run started = co_await start(runtime, std::move(requests));
        co_await wait_until_served(target, "/page", 4);
        co_await sleep_for(milliseconds(300));  // the pages are in their wait actions
        const auto browsers = our_browsers();
        REQUIRE(browsers.size() == 1);
        REQUIRE(::kill(browsers.front(), SIGKILL) == 0);

        const auto ended = co_await runtime.wait_run(started.collection_id, started.run_id);
        REQUIRE(ended);
        CHECK(ended->status == RunStatus::completed);
        check_counters_add_up(*ended);
        // The browser jobs were tried again in a new browser; the plain job never noticed.
        CHECK(ended->success_requests == 5);
        const auto jobs = co_await jobs_of(runtime, started);
        for (std::size_t i = 0; i < 4; ++i) {
            INFO(jobs[i].error.value_or("no error"));
            CHECK(jobs[i].attempts == 2);
        }
        CHECK(jobs[4].attempts == 1);

        std::vector<Request> next{in_browser(target.url("/scripted?delay_ms=0"))};
        const Run again = co_await run_to_end(runtime, std::move(next));
        CHECK(again.success_requests == 1);
        co_await runtime.shutdown();
        CHECK(our_browsers().empty());
    }());
}

TEST_CASE("browser jobs reaching a refused address fail as blocked, also in the browser",
          "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    RuntimeConfig config;  // the guard is on by default
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests{in_browser(target.url("/page"))};
        const Run run = co_await run_to_end(runtime, std::move(requests));
        CHECK(run.failed_requests == 1);
        const auto jobs = co_await jobs_of(runtime, run);
        CHECK(jobs[0].error == "blocked: private address");
        CHECK(target.requests_seen("/page") == 0);
        co_await runtime.shutdown();
    }());
}

TEST_CASE("without chromium, browser jobs fail as unavailable and plain jobs succeed") {
    asio::io_context io;
    TargetServer target(io);
    RuntimeConfig config = local_config();
    config.chromium_path = "/nonexistent/chromium";
    Runtime runtime(io.get_executor(), config);
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
        std::vector<Request> requests{in_browser(target.url("/page"), 100),
                                      plain(target.url("/page"))};
        const Run run = co_await run_to_end(runtime, std::move(requests));
        CHECK(run.failed_requests == 1);
        CHECK(run.success_requests == 1);
        const auto jobs = co_await jobs_of(runtime, run);
        REQUIRE(jobs[0].error);
        CHECK(jobs[0].error->starts_with("browser unavailable: "));
        CHECK(jobs[0].attempts == 1);
        const auto result = co_await result_of(runtime, run, jobs[0]);
        REQUIRE(result.actions.size() == 1);
        CHECK(result.actions[0].status == ActionStatus::skipped);
        co_await runtime.shutdown();
    }());
}
