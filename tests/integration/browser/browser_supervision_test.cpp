// Supervision of the browser against real Chromium: a browser that stops answering (SIGSTOP) is
// killed by the watchdog, one that dies (SIGKILL) is noticed by its pipe; either way the loads it
// held fail at once as `browser_lost` with a sentence that says what happened, every tab comes
// back, and the next load runs in a new browser. The watchdog ends with shutdown().
#include "browser/browser_engine.hpp"
#include "integration/browser/browser_test_support.hpp"
#include "support/run_all.hpp"
#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

using asyncscrape::Action;
using asyncscrape::ActionStatus;
using asyncscrape::ActionType;
using asyncscrape::JobStatus;
using asyncscrape::OnError;
using asyncscrape::Request;
using asyncscrape::SelectorState;
using asyncscrape::browser::BrowserEngine;
using asyncscrape::browser::BrowserEngineOptions;
using asyncscrape::browser::PageLoadResult;
using asyncscrape::test::browser_request;
using asyncscrape::test::load;
using asyncscrape::test::TargetServer;
namespace asio = boost::asio;
using Millis = std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

// What the watchdog of these tests says: it waits 2 s for an answer.
const std::string hang_reason =
    "browser unavailable: the browser stopped answering for 2 s and was restarted";

// Quick to notice a hang, still far from the loads' own deadlines, and patient enough for a
// browser on a busy machine.
BrowserEngineOptions supervised_options() {
    BrowserEngineOptions options;
    options.allow_private_targets = true;  // the pages are served on loopback
    options.watchdog_interval = Millis{300};
    options.watchdog_timeout = Millis{2000};
    return options;
}

// Far longer than the watchdog needs: a load that ends by it did not end by its deadline.
constexpr std::int64_t long_timeout_ms = 40000;
constexpr auto well_before_deadline = std::chrono::seconds(20);
// Closing a browser takes its exit grace (2 s) at the most.
constexpr auto prompt = std::chrono::seconds(10);

// Polls a page for an element that never comes, until the long timeout: a load that keeps
// talking to the browser.
Request load_waiting_for_nothing(std::string url) {
    Action wait;
    wait.type = ActionType::wait_for_selector;
    wait.selector = "#never";
    wait.state = SelectorState::attached;
    wait.timeout_ms = long_timeout_ms;
    wait.on_error = OnError::fail;
    Request request = browser_request(std::move(url), long_timeout_ms);
    request.actions = {wait};
    return request;
}

bool contains(const std::optional<std::string>& text, const std::string& part) {
    return text && text->find(part) != std::string::npos;
}

// True while the process exists, a zombie not yet reaped included.
bool process_exists(pid_t pid) {
    return ::kill(pid, 0) == 0 || errno != ESRCH;
}

asio::awaitable<void> sleep_for(Millis duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// The killed browser is reaped in the background; this waits for it, bounded.
asio::awaitable<void> require_reaped(pid_t pid) {
    for (int i = 0; i < 250 && process_exists(pid); ++i) {
        co_await sleep_for(Millis{20});
    }
    CHECK_FALSE(process_exists(pid));
    // Reaped by the engine, not left to anyone else.
    int status = 0;
    CHECK(::waitpid(pid, &status, WNOHANG) == -1);
    CHECK(errno == ECHILD);
}

asio::awaitable<pid_t> running_browser_pid(BrowserEngine& engine, const TargetServer& target) {
    const PageLoadResult warm_up = co_await load(engine, browser_request(target.url("/page")));
    REQUIRE(warm_up.status == JobStatus::success);
    REQUIRE(engine.browser());
    co_return engine.browser()->process().pid();
}

// Stops the browser's process once `delay` has passed: it stays, and answers nothing.
void stop_after(asio::steady_timer& timer, pid_t pid, Millis delay) {
    timer.expires_after(delay);
    timer.async_wait([pid](boost::system::error_code) { ::kill(pid, SIGSTOP); });
}

asio::awaitable<void> hung_browser_is_killed_and_replaced(BrowserEngine& engine,
                                                          const TargetServer& target) {
    // Stopped while the load waits for its element.
    const pid_t first = co_await running_browser_pid(engine, target);
    asio::steady_timer stop_timer(co_await asio::this_coro::executor);
    stop_after(stop_timer, first, Millis{500});
    auto started = steady_clock::now();
    const PageLoadResult waiting =
        co_await load(engine, load_waiting_for_nothing(target.url("/page")));
    CHECK(steady_clock::now() - started < well_before_deadline);
    CHECK(waiting.status == JobStatus::failed);
    CHECK(waiting.browser_lost);
    CHECK(waiting.error == hang_reason);
    REQUIRE(waiting.actions.size() == 1);
    CHECK(waiting.actions[0].status != ActionStatus::ok);
    CHECK(contains(waiting.actions[0].error, hang_reason));
    CHECK(engine.open_tabs() == 0);
    co_await require_reaped(first);

    // Stopped before the load starts: the load is held at the creation of its context.
    const pid_t second = co_await running_browser_pid(engine, target);
    CHECK(second != first);
    ::kill(second, SIGSTOP);
    started = steady_clock::now();
    const PageLoadResult held =
        co_await load(engine, browser_request(target.url("/page"), long_timeout_ms));
    CHECK(steady_clock::now() - started < well_before_deadline);
    CHECK(held.status == JobStatus::failed);
    CHECK(held.browser_lost);
    CHECK(held.error == hang_reason);
    CHECK(engine.open_tabs() == 0);
    co_await require_reaped(second);

    const PageLoadResult after = co_await load(engine, browser_request(target.url("/page")));
    CHECK(after.status == JobStatus::success);
    CHECK_FALSE(after.browser_lost);
    REQUIRE(engine.browser());
    const pid_t third = engine.browser()->process().pid();
    CHECK(third != first);
    CHECK(third != second);
    co_await engine.shutdown();
}

// Kills the browser once `tabs` loads hold a tab, and a moment later, when they are in the
// browser.
asio::awaitable<void> kill_when_tabs_taken(BrowserEngine& engine, pid_t pid, std::size_t tabs) {
    for (int i = 0; i < 500 && engine.open_tabs() < tabs; ++i) {
        co_await sleep_for(Millis{20});
    }
    REQUIRE(engine.open_tabs() == tabs);
    co_await sleep_for(Millis{300});
    ::kill(pid, SIGKILL);
}

void rethrow_failure(const std::exception_ptr& failure) {
    if (failure) {
        std::rethrow_exception(failure);
    }
}

asio::awaitable<void> killed_browser_fails_every_load(BrowserEngine& engine,
                                                      const TargetServer& target) {
    const pid_t pid = co_await running_browser_pid(engine, target);
    const auto executor = co_await asio::this_coro::executor;
    asio::co_spawn(executor, kill_when_tabs_taken(engine, pid, 4), rethrow_failure);
    std::vector<asio::awaitable<PageLoadResult>> loads;
    for (int i = 0; i < 4; ++i) {
        loads.push_back(load(engine, browser_request(target.url("/hang"), long_timeout_ms)));
    }
    const auto started = steady_clock::now();
    const std::vector<PageLoadResult> results =
        co_await asyncscrape::test::run_all(std::move(loads));
    CHECK(steady_clock::now() - started < well_before_deadline);
    for (const PageLoadResult& result : results) {
        CHECK(result.status == JobStatus::failed);
        CHECK(result.browser_lost);
        CHECK(result.error == "browser unavailable: chromium exited (signal 9)");
    }
    CHECK(engine.open_tabs() == 0);
    co_await require_reaped(pid);

    const PageLoadResult after = co_await load(engine, browser_request(target.url("/page")));
    CHECK(after.status == JobStatus::success);
    REQUIRE(engine.browser());
    CHECK(engine.browser()->process().pid() != pid);
    co_await engine.shutdown();
}

// The page needs no server: the test's io_context holds nothing but the engine's work.
asio::awaitable<steady_clock::duration> load_then_shut_down(BrowserEngine& engine) {
    const PageLoadResult loaded =
        co_await load(engine, browser_request("data:text/html,<h1>Inline</h1>"));
    CHECK(loaded.status == JobStatus::success);
    CHECK(loaded.html.find("<h1>Inline</h1>") != std::string::npos);
    const auto started = steady_clock::now();
    co_await engine.shutdown();
    co_return steady_clock::now() - started;
}

}  // namespace

TEST_CASE("a browser that stops answering is killed, its loads fail as lost, a new one follows",
          "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    BrowserEngine engine(io.get_executor(), supervised_options());
    asyncscrape::test::run_test_coroutine(io, hung_browser_is_killed_and_replaced(engine, target));
}

TEST_CASE("a browser killed under four loads fails them all as lost and frees every tab",
          "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    BrowserEngineOptions options = supervised_options();
    // The kill is the test's: a watchdog that gave up on a browser slowed by a loaded machine
    // (four tabs opening under ASan) would kill it first, with its own reason.
    options.watchdog_timeout = Millis{15000};
    BrowserEngine engine(io.get_executor(), options);
    asyncscrape::test::run_test_coroutine(io, killed_browser_fails_every_load(engine, target));
}

TEST_CASE("shutdown stops the watchdog, and the io_context runs out of work", "[browser]") {
    asio::io_context io;
    BrowserEngineOptions options = supervised_options();
    // A watchdog left behind would hold the io_context for a minute.
    options.watchdog_interval = Millis{60000};
    BrowserEngine engine(io.get_executor(), options);
    const steady_clock::duration shutdown_took =
        asyncscrape::test::run_test_coroutine(io, load_then_shut_down(engine));
    CHECK(shutdown_took < prompt);
    io.restart();
    io.run_for(prompt);
    CHECK(io.stopped());
}
