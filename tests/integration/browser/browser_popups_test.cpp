// Popups against real Chromium: with the private-address guard on, a tab a page opens (a click on
// a target=_blank link, window.open from a click handler: real input, so with a user gesture)
// never reaches a refused address, nor does an empty one its opener fills, and the page that opened
// it goes on; with the guard off, a popup is left alone. The pages are served on 127.0.0.1, which
// the guarded engine admits; the popups go to a ConnectionRecorder on 127.0.0.2, which it refuses.
#include "browser/browser_engine.hpp"
#include "integration/browser/browser_test_support.hpp"
#include "integration/browser/connection_recorder.hpp"
#include "integration/browser/page_server.hpp"
#include "support/run_test_coroutine.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

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
using asyncscrape::test::ConnectionRecorder;
using asyncscrape::test::load;
using asyncscrape::test::PageServer;
namespace asio = boost::asio;

namespace {

Action click(std::string selector) {
    Action action;
    action.type = ActionType::click;
    action.selector = std::move(selector);
    return action;
}

Action evaluate(std::string script) {
    Action action;
    action.type = ActionType::evaluate;
    action.script = std::move(script);
    return action;
}

// A target=_blank link (noopener, as Chromium makes such links by default), a button whose
// handler keeps the window it opens (which has access to its opener), and one that opens an empty
// window and has it request `script_url` itself. `popup_said` settles with the first message a
// popup posts to its opener.
std::string page_opening(const std::string& link_url, const std::string& window_url,
                         const std::string& script_url) {
    return R"html(<!doctype html><html><body>
<a id="link" target="_blank" href=")html" +
           link_url + R"html(">link</a>
<button id="open" onclick="window.popup = window.open(')html" +
           window_url + R"html(')">open</button>
<button id="script" onclick="const empty = window.open('');
  empty.document.body.innerHTML = '<img src=)html" +
           script_url + R"html(>';">script</button>
<script>
window.popup_said = new Promise(resolve => addEventListener('message', event => resolve(event.data)));
</script></body></html>)html";
}

asio::awaitable<void> popups_are_blocked(BrowserEngine& engine, PageServer& pages,
                                         ConnectionRecorder& recorder) {
    Request request = browser_request(pages.url("/opener"));
    request.actions.push_back(click("#link"));
    request.actions.push_back(click("#open"));
    request.actions.push_back(click("#script"));
    // window.open has returned (its opener runs on), and a popup let out would have connected
    // well within the half second.
    request.actions.push_back(
        evaluate("new Promise(resolve => setTimeout(() => resolve(typeof window.popup), 500))"));
    const PageLoadResult result = co_await load(engine, request);
    CHECK(result.status == JobStatus::success);
    REQUIRE(result.actions.size() == 4);
    for (const auto& action : result.actions) {
        INFO(action.error.value_or("no error"));
        CHECK(action.status == ActionStatus::ok);
    }
    CHECK(result.actions[3].value_json.value_or("no value") == "\"object\"");
    for (const std::string& target : recorder.targets_seen()) {
        UNSCOPED_INFO("got through: " << target);
    }
    CHECK(recorder.connections_accepted() == 0);
    CHECK(engine.open_tabs() == 0);
}

asio::awaitable<void> popups_are_left_alone(BrowserEngine& engine, PageServer& pages) {
    Request request = browser_request(pages.url("/opener"));
    request.actions.push_back(click("#open"));
    request.actions.push_back(evaluate("window.popup_said"));
    const PageLoadResult result = co_await load(engine, request);
    CHECK(result.status == JobStatus::success);
    REQUIRE(result.actions.size() == 2);
    INFO(result.actions[1].error.value_or("no error"));
    CHECK(result.actions[1].value_json.value_or("no value") == "\"loaded\"");
}

}  // namespace

TEST_CASE("with the guard on, popups reach no refused address and their opener goes on",
          "[browser][guard][popups]") {
    asio::io_context io;
    ConnectionRecorder recorder(io);
    PageServer pages(io, {{"/opener", page_opening(recorder.url("/link"), recorder.url("/open"),
                                                   recorder.url("/script"))}});
    BrowserEngineOptions options;
    options.admitted_addresses.push_back(asio::ip::make_address("127.0.0.1"));
    BrowserEngine engine(io.get_executor(), options);
    asyncscrape::test::run_test_coroutine(io, popups_are_blocked(engine, pages, recorder));
}

TEST_CASE("with the guard off, a popup loads", "[browser][guard][popups]") {
    asio::io_context io;
    PageServer pages(io, {{"/opener", page_opening("/popup", "/popup", "/popup")},
                          {"/popup", "<script>opener.postMessage('loaded', '*')</script>"}});
    BrowserEngineOptions options;
    options.allow_private_targets = true;
    BrowserEngine engine(io.get_executor(), options);
    asyncscrape::test::run_test_coroutine(io, popups_are_left_alone(engine, pages));
}
