// The browser failing under the client: killed mid-call, destroyed, missing, dying at start;
// and a caller that stops waiting.
#include "integration/browser/browser_test_support.hpp"
#include "support/run_cancelled_after.hpp"
#include "support/run_test_coroutine.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using asyncscrape::browser::Browser;
using asyncscrape::browser::BrowserOptions;
using asyncscrape::browser::CdpError;
using asyncscrape::browser::CdpOutcome;
using asyncscrape::test::browser_session;
using asyncscrape::test::call_ok;
using asyncscrape::test::cdp_deadline_from_now;
using asyncscrape::test::launch_test_browser;
using asyncscrape::test::no_params;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// A page session evaluating a promise that never settles: a call that stays pending.
asio::awaitable<std::string> attach_to_new_page(asyncscrape::browser::CdpClient& cdp) {
    json::object target_params;
    target_params["url"] = "about:blank";
    const json::object target =
        co_await call_ok(cdp, "Target.createTarget", target_params, browser_session);
    json::object attach_params;
    attach_params["targetId"] = target.at("targetId");
    attach_params["flatten"] = true;
    const json::object attached =
        co_await call_ok(cdp, "Target.attachToTarget", attach_params, browser_session);
    co_return std::string(attached.at("sessionId").as_string());
}

json::object never_settling_evaluation() {
    json::object params;
    params["expression"] = "new Promise(() => {})";
    params["awaitPromise"] = true;
    return params;
}

// The processes of a process group, read from /proc.
std::vector<pid_t> group_members(pid_t group) {
    std::vector<pid_t> members;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ignored)) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        std::getline(stat, line);
        // pid (comm) state ppid pgrp ...: the command may hold spaces, so start after its ')'.
        const auto after_command = line.rfind(')');
        if (after_command == std::string::npos) {
            continue;
        }
        std::istringstream fields(line.substr(after_command + 1));
        std::string state;
        pid_t parent = 0, process_group = 0;
        fields >> state >> parent >> process_group;
        if (process_group == group && state != "Z") {
            members.push_back(static_cast<pid_t>(std::stol(name)));
        }
    }
    return members;
}

bool process_exists(pid_t pid) {
    return ::kill(pid, 0) == 0 || errno != ESRCH;
}

asio::awaitable<void> killed_browser_fails_pending_call() {
    auto browser = co_await launch_test_browser();
    auto& cdp = browser->cdp();
    const std::string session = co_await attach_to_new_page(cdp);

    asio::steady_timer kill_timer(co_await asio::this_coro::executor,
                                  std::chrono::milliseconds(200));
    const pid_t pid = browser->process().pid();
    kill_timer.async_wait([pid](boost::system::error_code) { ::kill(pid, SIGKILL); });

    const auto started = std::chrono::steady_clock::now();
    CdpOutcome<json::object> outcome = co_await cdp.call(
        "Runtime.evaluate", never_settling_evaluation(), session, cdp_deadline_from_now());
    CHECK(outcome.error == CdpError::browser_gone);
    CHECK(outcome.message == "browser unavailable: chromium exited");
    // Failed by the pipe's end, not by its 15 s deadline.
    CHECK(std::chrono::steady_clock::now() - started < asyncscrape::test::cdp_deadline);

    CHECK_FALSE(cdp.connected());
    CdpOutcome<json::object> after = co_await cdp.call("Browser.getVersion", no_params,
                                                       browser_session, cdp_deadline_from_now());
    CHECK(after.error == CdpError::browser_gone);
    co_await browser->close();
    CHECK(browser->process().exited());
    CHECK_FALSE(process_exists(pid));
}

asio::awaitable<void> cancelled_call_resumes_and_client_goes_on() {
    auto browser = co_await launch_test_browser();
    auto& cdp = browser->cdp();
    const std::string session = co_await attach_to_new_page(cdp);

    CdpOutcome<json::object> cancelled = co_await asyncscrape::test::run_cancelled_after(
        cdp.call("Runtime.evaluate", never_settling_evaluation(), session, cdp_deadline_from_now()),
        std::chrono::milliseconds(100));
    CHECK(cancelled.error == CdpError::cancelled);

    const auto soon = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    CdpOutcome<json::object> timed_out =
        co_await cdp.call("Runtime.evaluate", never_settling_evaluation(), session, soon);
    CHECK(timed_out.error == CdpError::timeout);

    json::object evaluate_params;
    evaluate_params["expression"] = "6 * 7";
    const json::object answer = co_await call_ok(cdp, "Runtime.evaluate", evaluate_params, session);
    CHECK(answer.at("result").at("value") == 42);
    co_await browser->close();
}

asio::awaitable<void> destroyed_browser_leaves_nothing() {
    auto browser = co_await launch_test_browser();
    // A page, so that there are renderer processes too.
    co_await attach_to_new_page(browser->cdp());
    const pid_t pid = browser->process().pid();
    const std::string profile = browser->process().profile_dir();
    CHECK(std::filesystem::exists(profile));
    CHECK_FALSE(group_members(pid).empty());

    browser.reset();
    CHECK_FALSE(process_exists(pid));  // reaped by the destructor
    // The helpers got SIGKILL; the kernel takes a moment to finish them.
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    asio::steady_timer poll(co_await asio::this_coro::executor);
    while (!group_members(pid).empty() && std::chrono::steady_clock::now() < limit) {
        poll.expires_after(std::chrono::milliseconds(20));
        co_await poll.async_wait(asio::use_awaitable);
    }
    CHECK(group_members(pid).empty());
    CHECK_FALSE(std::filesystem::exists(profile));
}

asio::awaitable<std::string> launch_failure(std::string executable) {
    BrowserOptions options;
    options.chromium.executable = std::move(executable);
    asyncscrape::Outcome<std::unique_ptr<Browser>> launched = co_await Browser::launch(options);
    REQUIRE_FALSE(launched);
    CHECK(launched.error().code == asyncscrape::Errc::unavailable);
    co_return launched.error().detail;
}

}  // namespace

TEST_CASE("chromium killed with a call pending fails the call at once", "[browser]") {
    asio::io_context io;
    asyncscrape::test::run_test_coroutine(io, killed_browser_fails_pending_call());
}

TEST_CASE("a cancelled or timed-out call resumes and the connection goes on", "[browser]") {
    asio::io_context io;
    asyncscrape::test::run_test_coroutine(io, cancelled_call_resumes_and_client_goes_on());
}

TEST_CASE("destroying the browser leaves no process and no profile behind", "[browser]") {
    asio::io_context io;
    asyncscrape::test::run_test_coroutine(io, destroyed_browser_leaves_nothing());
}

TEST_CASE("a browser that cannot start is a clear error", "[browser]") {
    asio::io_context io;
    SECTION("the binary is missing") {
        const std::string detail =
            asyncscrape::test::run_test_coroutine(io, launch_failure("/nonexistent/chromium"));
        CHECK(detail ==
              "browser unavailable: cannot execute /nonexistent/chromium: No such file or "
              "directory");
    }
    SECTION("the binary exits at once") {
        const std::string detail =
            asyncscrape::test::run_test_coroutine(io, launch_failure("/bin/false"));
        CHECK(detail == "browser unavailable: /bin/false exited with status 1 at startup");
    }
}
