// JavaScript dialogs against real Chromium: an alert while the page loads, a confirm and a prompt
// opened by clicks, and a beforeunload that would hold back a navigation are all answered at once
// (accepted, a prompt with an empty answer), so the load goes on instead of stalling until its
// deadline.
#include "browser/browser_engine.hpp"
#include "integration/browser/browser_test_support.hpp"
#include "integration/browser/page_server.hpp"
#include "support/run_test_coroutine.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <map>
#include <string>
#include <utility>

using asyncscrape::Action;
using asyncscrape::ActionStatus;
using asyncscrape::ActionType;
using asyncscrape::JobStatus;
using asyncscrape::Request;
using asyncscrape::browser::BrowserEngine;
using asyncscrape::browser::BrowserEngineOptions;
using asyncscrape::browser::PageLoadResult;
using asyncscrape::test::browser_request;
using asyncscrape::test::load;
using asyncscrape::test::PageServer;
namespace asio = boost::asio;

namespace {

// Writes what each dialog returned into the page.
constexpr const char* dialogs_page = R"html(<!doctype html><html><body>
<p id="loading"></p>
<button id="confirm" onclick="confirmed.textContent = confirm('Sure?') ? 'confirmed' : 'declined'">
confirm</button><p id="confirmed"></p>
<button id="prompt" onclick="prompted.textContent = 'prompt: ' + JSON.stringify(prompt('Name?', 'x'))">
prompt</button><p id="prompted"></p>
<script>alert('Loading'); loading.textContent = 'past the alert';</script>
</body></html>)html";

// Asks before the page is left; a click gives it the user activation a beforeunload dialog needs.
constexpr const char* leaving_page = R"(<!doctype html><html><body>
<a id="away" href="/left">away</a>
<script>addEventListener('beforeunload', event => { event.preventDefault(); event.returnValue = ''; });
</script></body></html>)";

Action selector_action(ActionType type, std::string selector) {
    Action action;
    action.type = type;
    action.selector = std::move(selector);
    return action;
}

void check_actions_ok(const PageLoadResult& result) {
    for (const auto& action : result.actions) {
        INFO(action.error.value_or("no error"));
        CHECK(action.status == ActionStatus::ok);
    }
}

asio::awaitable<void> dialogs_are_accepted(BrowserEngine& engine, PageServer& pages) {
    Request request = browser_request(pages.url("/dialogs"));
    request.actions.push_back(selector_action(ActionType::click, "#confirm"));
    request.actions.push_back(selector_action(ActionType::click, "#prompt"));
    const PageLoadResult result = co_await load(engine, request);
    CHECK(result.status == JobStatus::success);
    check_actions_ok(result);
    CHECK(result.html.find("past the alert") != std::string::npos);
    CHECK(result.html.find(">confirmed<") != std::string::npos);
    CHECK(result.html.find("prompt: \"\"") != std::string::npos);
}

asio::awaitable<void> beforeunload_lets_go(BrowserEngine& engine, PageServer& pages) {
    Request request = browser_request(pages.url("/leaving"));
    request.actions.push_back(selector_action(ActionType::click, "#away"));
    Action navigation;
    navigation.type = ActionType::wait_for_navigation;
    request.actions.push_back(navigation);
    const PageLoadResult result = co_await load(engine, request);
    CHECK(result.status == JobStatus::success);
    check_actions_ok(result);
    CHECK(result.final_url == pages.url("/left"));
    CHECK(result.html.find("Left") != std::string::npos);
}

// The pages are served on loopback, which the private-address guard refuses.
BrowserEngineOptions loopback_options() {
    BrowserEngineOptions options;
    options.allow_private_targets = true;
    return options;
}

}  // namespace

TEST_CASE("an alert while loading, a confirm and a prompt are accepted at once",
          "[browser][dialogs]") {
    asio::io_context io;
    PageServer pages(io, {{"/dialogs", dialogs_page}});
    BrowserEngine engine(io.get_executor(), loopback_options());
    asyncscrape::test::run_test_coroutine(io, dialogs_are_accepted(engine, pages));
}

TEST_CASE("a beforeunload dialog lets the navigation go on", "[browser][dialogs]") {
    asio::io_context io;
    PageServer pages(io, {{"/leaving", leaving_page},
                          {"/left", "<!doctype html><html><body><h1>Left</h1></body></html>"}});
    BrowserEngine engine(io.get_executor(), loopback_options());
    asyncscrape::test::run_test_coroutine(io, beforeunload_lets_go(engine, pages));
}
