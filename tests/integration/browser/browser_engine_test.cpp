// Page loads through the BrowserEngine against real Chromium: navigation outcomes, actions,
// capture, the tab limit, cancellation and a browser killed mid-load. Each test case launches
// one browser and loads several pages with it.
#include "browser/browser_engine.hpp"
#include "integration/browser/browser_test_support.hpp"
#include "integration/browser/page_server.hpp"
#include "support/run_all.hpp"
#include "support/run_cancelled_after.hpp"
#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <signal.h>

#include <chrono>
#include <cstdint>
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
using asyncscrape::test::browser_session;
using asyncscrape::test::call_ok;
using asyncscrape::test::load;
using asyncscrape::test::no_params;
using asyncscrape::test::PageServer;
using asyncscrape::test::TargetServer;
namespace asio = boost::asio;
namespace json = boost::json;
using Millis = std::chrono::milliseconds;

namespace {

// Writes its paragraph a second after its script ran: only a wait-for-selector sees it.
constexpr const char* late_content_page = R"(<!doctype html><html><body><h1>Early</h1><script>
setTimeout(() => {
  const paragraph = document.createElement('p');
  paragraph.id = 'late';
  paragraph.textContent = 'written later';
  document.body.appendChild(paragraph);
}, 1000);
</script></body></html>)";

Action evaluate(std::string script, OnError on_error = OnError::fail) {
    Action action;
    action.type = ActionType::evaluate;
    action.script = std::move(script);
    action.on_error = on_error;
    return action;
}

Action wait_for_selector(std::string selector, SelectorState state, std::int64_t timeout_ms) {
    Action action;
    action.type = ActionType::wait_for_selector;
    action.selector = std::move(selector);
    action.state = state;
    action.timeout_ms = timeout_ms;
    action.on_error = OnError::skip;
    return action;
}

// The pages of these tests are served on loopback, which the private-address guard refuses.
BrowserEngineOptions loopback_options() {
    BrowserEngineOptions options;
    options.allow_private_targets = true;
    return options;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// A loopback port nobody listens on: connecting to it is refused at once.
std::uint16_t closed_port(asio::io_context& io) {
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    return probe.local_endpoint().port();
}

std::uint32_t big_endian_at(const std::string& bytes, std::size_t offset) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
    }
    return value;
}

// A cancelled load disposes of its context in the background; this waits for it, bounded.
asio::awaitable<void> wait_until_no_tabs(BrowserEngine& engine) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int i = 0; i < 250 && engine.open_tabs() > 0; ++i) {
        timer.expires_after(Millis{20});
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    REQUIRE(engine.open_tabs() == 0);
}

asio::awaitable<void> navigation_outcomes(BrowserEngine& engine, const TargetServer& target,
                                          std::string refused_url) {
    const PageLoadResult page = co_await load(engine, browser_request(target.url("/page")));
    CHECK(page.status == JobStatus::success);
    CHECK_FALSE(page.error);
    CHECK(page.status_code == 200);
    CHECK(page.final_url == target.url("/page"));
    CHECK(contains(page.html, "<h1>Target page</h1>"));
    bool has_content_type = false;
    for (const auto& [name, value] : page.headers) {
        has_content_type = has_content_type || (name == "content-type" && contains(value, "html"));
    }
    CHECK(has_content_type);
    CHECK(page.timings.total_ms > 0);
    CHECK_FALSE(page.screenshot_png);

    const PageLoadResult missing =
        co_await load(engine, browser_request(target.url("/status/404")));
    CHECK(missing.status == JobStatus::failed);
    CHECK(missing.error == "HTTP status 404");
    CHECK(missing.status_code == 404);

    const PageLoadResult redirected =
        co_await load(engine, browser_request(target.url("/redirect/2")));
    CHECK(redirected.status == JobStatus::success);
    CHECK(redirected.status_code == 200);
    CHECK(redirected.final_url == target.url("/redirect/0"));

    const PageLoadResult refused = co_await load(engine, browser_request(refused_url));
    CHECK(refused.status == JobStatus::failed);
    CHECK(refused.error == "net::ERR_CONNECTION_REFUSED");
    CHECK_FALSE(refused.status_code);

    CHECK(engine.open_tabs() == 0);
    co_await engine.shutdown();
}

asio::awaitable<void> actions_run_before_capture(BrowserEngine& engine, const PageServer& pages,
                                                 const TargetServer& target) {
    Request waited = browser_request(pages.url("/late"));
    waited.actions = {wait_for_selector("#late", SelectorState::visible, 5000),
                      wait_for_selector("//p[@id='late']", SelectorState::attached, 5000),
                      wait_for_selector("#never", SelectorState::attached, 300),
                      wait_for_selector("#never", SelectorState::hidden, 5000)};
    const PageLoadResult with_wait = co_await load(engine, waited);
    CHECK(with_wait.status == JobStatus::success);
    CHECK(contains(with_wait.html, "<p id=\"late\">written later</p>"));
    REQUIRE(with_wait.actions.size() == 4);
    CHECK(with_wait.actions[0].status == ActionStatus::ok);
    CHECK(with_wait.actions[1].status == ActionStatus::ok);
    CHECK(with_wait.actions[2].status == ActionStatus::failed);
    CHECK(with_wait.actions[2].error == "timed out after 300 ms");
    CHECK(with_wait.actions[3].status == ActionStatus::ok);

    const PageLoadResult without_wait = co_await load(engine, browser_request(pages.url("/late")));
    CHECK(without_wait.status == JobStatus::success);
    CHECK(contains(without_wait.html, "<h1>Early</h1>"));
    CHECK_FALSE(contains(without_wait.html, "<p id=\"late\">"));

    Action missing;
    missing.type = ActionType::click;
    missing.selector = "#missing";
    missing.timeout_ms = 300;
    missing.on_error = OnError::skip;
    Request skipping = browser_request(target.url("/page"));
    skipping.actions = {evaluate("({answer: 6 * 7, list: [true, 'x', null]})"),
                        evaluate("Promise.resolve(document.querySelector('h1').textContent)"),
                        evaluate("(() => { throw new Error('boom'); })()", OnError::skip), missing,
                        evaluate("document.title = 'changed'")};
    const PageLoadResult skipped = co_await load(engine, skipping);
    CHECK(skipped.status == JobStatus::success);
    REQUIRE(skipped.actions.size() == 5);
    CHECK(skipped.actions[0].status == ActionStatus::ok);
    CHECK(skipped.actions[0].value_json == R"({"answer":42,"list":[true,"x",null]})");
    CHECK(skipped.actions[1].value_json == R"("Target page")");
    CHECK(skipped.actions[2].type == ActionType::evaluate);
    CHECK(skipped.actions[2].status == ActionStatus::failed);
    CHECK(skipped.actions[2].error == "Error: boom");
    CHECK(skipped.actions[3].status == ActionStatus::failed);
    CHECK(skipped.actions[3].error == "timed out after 300 ms: no element matches '#missing'");
    CHECK(skipped.actions[4].status == ActionStatus::ok);
    // The HTML is captured after the actions.
    CHECK(contains(skipped.html, "<title>changed</title>"));

    Request failing = browser_request(target.url("/page"));
    failing.actions = {evaluate("undefinedVariable.property"), evaluate("1 + 1")};
    const PageLoadResult failed = co_await load(engine, failing);
    CHECK(failed.status == JobStatus::failed);
    REQUIRE(failed.error);
    CHECK(*failed.error ==
          "action 1 (evaluate) failed: ReferenceError: undefinedVariable is not defined");
    REQUIRE(failed.actions.size() == 2);
    CHECK(failed.actions[0].status == ActionStatus::failed);
    CHECK(failed.actions[1].status == ActionStatus::skipped);
    CHECK(failed.actions[1].error == "not run: " + *failed.error);
    co_await engine.shutdown();
}

asio::awaitable<void> screenshot_is_a_viewport_png(BrowserEngine& engine,
                                                   const TargetServer& target) {
    Request request = browser_request(target.url("/page"));
    request.screenshot = true;
    const PageLoadResult shot = co_await load(engine, request);
    CHECK(shot.status == JobStatus::success);
    REQUIRE(shot.screenshot_png);
    const std::string& png = *shot.screenshot_png;
    REQUIRE(png.size() > 24);
    CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
    CHECK(png.substr(12, 4) == "IHDR");
    CHECK(big_endian_at(png, 16) == 1280);
    CHECK(big_endian_at(png, 20) == 800);
    co_await engine.shutdown();
}

asio::awaitable<void> pages_that_never_finish(BrowserEngine& engine, const PageServer& pages,
                                              const TargetServer& target) {
    // The document arrives but its image never does: captured as it stands.
    const PageLoadResult stuck = co_await load(engine, browser_request(pages.url("/stuck"), 3000));
    CHECK(stuck.status == JobStatus::success);
    CHECK(stuck.status_code == 200);
    CHECK(contains(stuck.html, "<h1>Half loaded</h1>"));

    // No response at all: nothing to capture. A second load, queued behind it for the only tab,
    // runs out of time while waiting.
    std::vector<asio::awaitable<PageLoadResult>> loads;
    loads.push_back(load(engine, browser_request(target.url("/hang"), 3000)));
    Request queued = browser_request(target.url("/page"), 1000);
    queued.actions = {evaluate("1")};
    loads.push_back(load(engine, queued));
    const std::vector<PageLoadResult> results =
        co_await asyncscrape::test::run_all(std::move(loads));
    CHECK(results[0].status == JobStatus::timeout);
    REQUIRE(results[0].error);
    CHECK(results[0].error->rfind("timeout: ", 0) == 0);
    CHECK(results[1].status == JobStatus::timeout);
    CHECK(results[1].error == "timeout: no browser tab became free before the deadline");
    REQUIRE(results[1].actions.size() == 1);
    CHECK(results[1].actions[0].status == ActionStatus::skipped);
    CHECK(engine.peak_open_tabs() == 1);
    co_await engine.shutdown();
}

asio::awaitable<void> tab_limit_holds(BrowserEngine& engine, const TargetServer& target) {
    std::vector<asio::awaitable<PageLoadResult>> loads;
    for (int i = 0; i < 6; ++i) {
        loads.push_back(load(engine, browser_request(target.url("/delay/200"))));
    }
    const std::vector<PageLoadResult> results =
        co_await asyncscrape::test::run_all(std::move(loads));
    for (const PageLoadResult& result : results) {
        CHECK(result.status == JobStatus::success);
        CHECK(contains(result.html, "<h1>Target page</h1>"));
    }
    CHECK(engine.peak_open_tabs() == 2);
    CHECK(engine.open_tabs() == 0);
    co_await engine.shutdown();
}

asio::awaitable<void> cancelled_load_leaves_no_context(BrowserEngine& engine,
                                                       const TargetServer& target) {
    // Launched first, so that the cancellation lands in the load and not in a slow launch.
    const PageLoadResult warm_up = co_await load(engine, browser_request(target.url("/page")));
    REQUIRE(warm_up.status == JobStatus::success);
    const auto started = std::chrono::steady_clock::now();
    const PageLoadResult cancelled = co_await asyncscrape::test::run_cancelled_after(
        load(engine, browser_request(target.url("/hang"), 20000)), Millis{500});
    CHECK(cancelled.status == JobStatus::cancelled);
    CHECK(cancelled.error == "cancelled");
    // Ended by the cancellation, not by its 20 s deadline.
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(15));

    co_await wait_until_no_tabs(engine);
    REQUIRE(engine.browser());
    const json::object contexts = co_await call_ok(
        engine.browser()->cdp(), "Target.getBrowserContexts", no_params, browser_session);
    CHECK(contexts.at("browserContextIds").as_array().empty());
    co_await engine.shutdown();
}

asio::awaitable<void> killed_browser_is_relaunched(BrowserEngine& engine,
                                                   const TargetServer& target) {
    const PageLoadResult first = co_await load(engine, browser_request(target.url("/page")));
    CHECK(first.status == JobStatus::success);
    REQUIRE(engine.browser());
    const pid_t pid = engine.browser()->process().pid();

    asio::steady_timer kill_timer(co_await asio::this_coro::executor, Millis{500});
    kill_timer.async_wait([pid](boost::system::error_code) { ::kill(pid, SIGKILL); });
    const PageLoadResult killed =
        co_await load(engine, browser_request(target.url("/hang"), 20000));
    CHECK(killed.status == JobStatus::failed);
    CHECK(killed.error == "browser unavailable: chromium exited (signal 9)");
    CHECK(killed.browser_lost);

    const PageLoadResult after = co_await load(engine, browser_request(target.url("/page")));
    CHECK(after.status == JobStatus::success);
    CHECK(contains(after.html, "<h1>Target page</h1>"));
    REQUIRE(engine.browser());
    CHECK(engine.browser()->process().pid() != pid);
    co_await engine.shutdown();
}

asio::awaitable<void> missing_browser_fails_each_load(BrowserEngine& engine) {
    Request request = browser_request("http://127.0.0.1:1/");
    request.actions = {evaluate("1")};
    for (int attempt = 0; attempt < 2; ++attempt) {
        const PageLoadResult result = co_await load(engine, request);
        CHECK(result.status == JobStatus::failed);
        REQUIRE(result.error);
        CHECK(result.error->rfind("browser unavailable: ", 0) == 0);
        REQUIRE(result.actions.size() == 1);
        CHECK(result.actions[0].status == ActionStatus::skipped);
    }
    CHECK_FALSE(engine.browser());
    CHECK(engine.open_tabs() == 0);
}

}  // namespace

TEST_CASE("a page load reports the main document's status, headers, final URL and live HTML",
          "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    BrowserEngine engine(io.get_executor(), loopback_options());
    const std::string refused_url = "http://127.0.0.1:" + std::to_string(closed_port(io)) + "/";
    asyncscrape::test::run_test_coroutine(io, navigation_outcomes(engine, target, refused_url));
}

TEST_CASE("actions wait, evaluate and fail or skip before the page is captured", "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    PageServer pages(io, {{"/late", late_content_page}});
    BrowserEngine engine(io.get_executor(), loopback_options());
    asyncscrape::test::run_test_coroutine(io, actions_run_before_capture(engine, pages, target));
}

TEST_CASE("a screenshot is a PNG of the 1280x800 viewport", "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    BrowserEngine engine(io.get_executor(), loopback_options());
    asyncscrape::test::run_test_coroutine(io, screenshot_is_a_viewport_png(engine, target));
}

TEST_CASE("a page that never finishes loading is captured in time, or is a timeout", "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    PageServer pages(io, {{"/stuck", "<html><body><h1>Half loaded</h1><img src=\"" +
                                         target.url("/hang") + "\"></body></html>"}});
    BrowserEngineOptions options = loopback_options();
    options.max_tabs = 1;
    BrowserEngine engine(io.get_executor(), options);
    asyncscrape::test::run_test_coroutine(io, pages_that_never_finish(engine, pages, target));
}

TEST_CASE("concurrent loads never use more tabs than the limit", "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    BrowserEngineOptions options = loopback_options();
    options.max_tabs = 2;
    BrowserEngine engine(io.get_executor(), options);
    asyncscrape::test::run_test_coroutine(io, tab_limit_holds(engine, target));
}

TEST_CASE("a cancelled load ends promptly and leaves no browser context behind", "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    BrowserEngine engine(io.get_executor(), loopback_options());
    asyncscrape::test::run_test_coroutine(io, cancelled_load_leaves_no_context(engine, target));
}

TEST_CASE("a browser killed mid-load fails that load and is relaunched for the next", "[browser]") {
    asio::io_context io;
    TargetServer target(io);
    BrowserEngine engine(io.get_executor(), loopback_options());
    asyncscrape::test::run_test_coroutine(io, killed_browser_is_relaunched(engine, target));
}

TEST_CASE("without a browser every load fails as unavailable, and each tries again", "[browser]") {
    asio::io_context io;
    BrowserEngineOptions options = loopback_options();
    options.executable = "/nonexistent/chromium";
    BrowserEngine engine(io.get_executor(), options);
    asyncscrape::test::run_test_coroutine(io, missing_browser_fails_each_load(engine));
}
