// A page loaded and read through a flat session, as the tab pool will drive it.
#include "browser/chromium_process.hpp"
#include "integration/browser/browser_test_support.hpp"
#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <string>

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

asio::awaitable<void> load_page_in_own_context(std::string url) {
    auto browser = co_await launch_test_browser();
    auto& cdp = browser->cdp();
    CHECK(browser->product().rfind("Chrome/", 0) == 0);

    const json::object version =
        co_await call_ok(cdp, "Browser.getVersion", no_params, browser_session);
    CHECK(version.at("protocolVersion") == "1.3");

    const json::object context =
        co_await call_ok(cdp, "Target.createBrowserContext", no_params, browser_session);
    const std::string context_id(context.at("browserContextId").as_string());

    json::object target_params;
    target_params["url"] = "about:blank";
    target_params["browserContextId"] = context_id;
    const json::object target =
        co_await call_ok(cdp, "Target.createTarget", target_params, browser_session);

    // The context holds the tab alone: the address bar's popups of the window Chromium opens for
    // it, pages in a renderer of their own, are switched off (chromium_process.cpp).
    const json::object targets =
        co_await call_ok(cdp, "Target.getTargets", no_params, browser_session);
    for (const json::value& info : targets.at("targetInfos").as_array()) {
        const json::object& target_info = info.as_object();
        if (target_info.at("browserContextId").as_string() == context_id) {
            INFO(json::serialize(target_info));
            CHECK(target_info.at("targetId") == target.at("targetId"));
        }
    }

    json::object attach_params;
    attach_params["targetId"] = target.at("targetId");
    attach_params["flatten"] = true;
    const json::object attached =
        co_await call_ok(cdp, "Target.attachToTarget", attach_params, browser_session);
    const std::string session(attached.at("sessionId").as_string());

    // Subscribed before navigating, so the load event cannot slip by.
    auto loads = cdp.subscribe(session, {"Page.loadEventFired"});
    co_await call_ok(cdp, "Page.enable", no_params, session);
    json::object navigate_params;
    navigate_params["url"] = url;
    const json::object navigated = co_await call_ok(cdp, "Page.navigate", navigate_params, session);
    CHECK_FALSE(navigated.contains("errorText"));

    CdpOutcome<asyncscrape::browser::CdpEvent> loaded =
        co_await loads.next(cdp_deadline_from_now());
    INFO(loaded.message);
    REQUIRE(loaded.ok());
    CHECK(loaded.value.method == "Page.loadEventFired");
    CHECK(loaded.value.session_id == session);

    json::object evaluate_params;
    evaluate_params["expression"] = "document.documentElement.outerHTML";
    evaluate_params["returnByValue"] = true;
    const json::object evaluated =
        co_await call_ok(cdp, "Runtime.evaluate", evaluate_params, session);
    const std::string html(evaluated.at("result").at("value").as_string());
    CHECK(html.find("<h1>Target page</h1>") != std::string::npos);

    // Nothing else was buffered for this subscription, so a short wait ends with a timeout.
    const auto soon = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
    CdpOutcome<asyncscrape::browser::CdpEvent> nothing = co_await loads.next(soon);
    CHECK(nothing.error == CdpError::timeout);

    json::object dispose_params;
    dispose_params["browserContextId"] = context_id;
    co_await call_ok(cdp, "Target.disposeBrowserContext", dispose_params, browser_session);
    // The page's session went with its context.
    CdpOutcome<asyncscrape::browser::CdpEvent> after_dispose =
        co_await loads.next(cdp_deadline_from_now());
    CHECK(after_dispose.error == CdpError::session_detached);

    co_await browser->close();
    CHECK(browser->process().exited());
}

asio::awaitable<void> unknown_method_is_an_error() {
    auto browser = co_await launch_test_browser();
    CdpOutcome<json::object> outcome =
        co_await browser->cdp().call("Nope.notAMethod", no_params, "", cdp_deadline_from_now());
    CHECK(outcome.error == CdpError::command_failed);
    CHECK(outcome.message.find("cdp Nope.notAMethod: ") == 0);
    CHECK(outcome.message.find("wasn't found") != std::string::npos);
    // The connection goes on.
    co_await call_ok(browser->cdp(), "Browser.getVersion", no_params, browser_session);
    co_await browser->close();
}

// What the engine starts when no executable is configured (chromium_process.hpp); the project
// installs both (scripts/install-deps.sh).
asio::awaitable<void> default_browsers_by_guard() {
    std::string guarded_executable = asyncscrape::browser::default_chromium_executable(true);
    auto guarded = co_await launch_test_browser(std::move(guarded_executable));
    CHECK(guarded->product().rfind("Chrome/", 0) == 0);
    co_await guarded->close();

    std::string unguarded_executable = asyncscrape::browser::default_chromium_executable(false);
    auto unguarded = co_await launch_test_browser(std::move(unguarded_executable));
    CHECK(unguarded->product().rfind("HeadlessChrome/", 0) == 0);
    co_await unguarded->close();
}

}  // namespace

TEST_CASE("a guarded browser is Debian's chromium, an unguarded one its headless shell",
          "[browser]") {
    asio::io_context io;
    asyncscrape::test::run_test_coroutine(io, default_browsers_by_guard());
}

TEST_CASE("a page is loaded and read in its own browser context over a flat session", "[browser]") {
    asio::io_context io;
    asyncscrape::test::TargetServer target(io);
    asyncscrape::test::run_test_coroutine(io, load_page_in_own_context(target.url("/page")));
}

TEST_CASE("an unknown CDP method answers an error, not a failure of the connection", "[browser]") {
    asio::io_context io;
    asyncscrape::test::run_test_coroutine(io, unknown_method_is_an_error());
}
