// The private-address guard of page loads against real Chromium: with the guard on, no request of
// a page (the navigation, a redirect, a subresource, a script's fetch, and those of its
// out-of-process iframes and workers) reaches a refused address, a refused main document fails the
// load in the fetcher's words, and the loads Chromium makes outside any page's interception are
// off. Only loopback is used: the pages that must pass the guard are served on 127.0.0.1, which
// those engines admit, while `localhost` (127.0.0.1 and ::1, and ::1 is not admitted) stays
// refused; where `localhost` must pass too, ::1 is admitted as well and 127.0.0.2 is the refused
// address.
#include "browser/browser_engine.hpp"
#include "integration/browser/browser_test_support.hpp"
#include "integration/browser/connection_recorder.hpp"
#include "integration/browser/page_server.hpp"
#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

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
using asyncscrape::test::TargetServer;
namespace asio = boost::asio;

namespace {

constexpr const char* blocked = "blocked: private address";

BrowserEngineOptions guarded_options() {
    BrowserEngineOptions options;
    CHECK_FALSE(options.allow_private_targets);  // the guard is on unless turned off
    return options;
}

// The guard on, with the page servers' address admitted.
BrowserEngineOptions admitting_loopback_options() {
    BrowserEngineOptions options = guarded_options();
    options.admitted_addresses.push_back(asio::ip::make_address("127.0.0.1"));
    return options;
}

// The guard on, with loopback admitted by both names of the page server, 127.0.0.1 and `localhost`:
// a page and an iframe of another site are both served, and 127.0.0.2 stays refused.
BrowserEngineOptions admitting_localhost_options() {
    BrowserEngineOptions options = admitting_loopback_options();
    options.admitted_addresses.push_back(asio::ip::make_address("::1"));
    return options;
}

std::string localhost_url(const TargetServer& target, const std::string& path) {
    return "http://localhost:" + std::to_string(target.port()) + path;
}

// An image of the target by the name `localhost`.
std::string page_with_image(const TargetServer& target) {
    return "<html><body><h1>Outside</h1><img src=\"" + localhost_url(target, "/image.png") +
           "\"></body></html>";
}

// Loads `page_url` and, in its one action, fetches the target by the name `localhost` from a
// script: "settled" once the fetch succeeded or failed.
Request page_that_fetches(const std::string& page_url, const TargetServer& target) {
    Request request = browser_request(page_url);
    Action fetch;
    fetch.type = ActionType::evaluate;
    fetch.script = "fetch('" + localhost_url(target, "/fetched") +
                   "', {mode: 'no-cors'}).then(() => 'settled', () => 'settled')";
    request.actions.push_back(fetch);
    return request;
}

asio::awaitable<void> loopback_pages_are_blocked(BrowserEngine& engine, TargetServer& target) {
    for (const std::string& url : {target.url("/page"), localhost_url(target, "/page")}) {
        const PageLoadResult result = co_await load(engine, browser_request(url));
        INFO(url);
        CHECK(result.status == JobStatus::failed);
        CHECK(result.error == blocked);
        CHECK_FALSE(result.status_code);
    }
    CHECK(target.requests_seen("/page") == 0);
    CHECK(engine.open_tabs() == 0);
}

asio::awaitable<void> redirect_to_loopback_is_blocked(BrowserEngine& engine, TargetServer& target) {
    const std::string to = "http%3A%2F%2Flocalhost%3A" + std::to_string(target.port()) + "%2Fpage";
    const PageLoadResult result =
        co_await load(engine, browser_request(target.url("/redirect-to?url=" + to)));
    CHECK(result.status == JobStatus::failed);
    CHECK(result.error == blocked);
    CHECK(target.requests_seen("/redirect-to") == 1);
    CHECK(target.requests_seen("/page") == 0);
}

asio::awaitable<void> subresources_follow_the_guard(BrowserEngine& engine, PageServer& pages,
                                                    TargetServer& target,
                                                    std::size_t expected_requests) {
    const PageLoadResult result =
        co_await load(engine, page_that_fetches(pages.url("/outside"), target));
    // A refused subresource does not fail the page around it.
    CHECK(result.status == JobStatus::success);
    CHECK(result.status_code == 200);
    CHECK(result.html.find("Outside") != std::string::npos);
    REQUIRE(result.actions.size() == 1);
    CHECK(result.actions[0].status == ActionStatus::ok);
    CHECK(result.actions[0].value_json.value_or("no value") == "\"settled\"");
    CHECK(target.requests_seen("/image.png") == expected_requests);
    CHECK(target.requests_seen("/fetched") == expected_requests);
}

// Names the requests that got through to `recorder` in the next assertion's message.
void name_requests_seen(const ConnectionRecorder& recorder) {
    for (const std::string& target : recorder.targets_seen()) {
        UNSCOPED_INFO("got through: " << target);
    }
}

// What a request to `recorder` from a script settles as: "reached" or "refused".
std::string probe_script(const ConnectionRecorder& recorder, const std::string& path) {
    return "fetch('" + recorder.url(path) +
           "', {mode: 'no-cors'}).then(() => 'reached', () => 'refused')";
}

std::string page_with_script(const std::string& script) {
    return "<html><body><script>" + script + "</script></body></html>";
}

// frame_says(src): adds an iframe of `src` and settles with the first message it posts.
constexpr const char* frame_says = R"(
    function frame_says(src) {
        return new Promise(resolve => {
            addEventListener('message', event => resolve(event.data));
            const frame = document.createElement('iframe');
            frame.src = src;
            document.body.appendChild(frame);
        });
    }
)";

// A page whose requests come from targets of their own, each asking the recorder for something:
// an iframe of another site (`localhost`: out of process under site isolation), an iframe inside
// that one of the page's site (out of process again, a child of the child), a dedicated worker
// and a service worker. `window.settled` says what became of each request.
std::map<std::string, std::string> pages_with_child_targets(const ConnectionRecorder& recorder) {
    return {
        {"/children", page_with_script(std::string(frame_says) + R"(
            const frames = frame_says('http://localhost:' + location.port + '/frame');
            const worker = new Promise(resolve => {
                new Worker('/worker.js').onmessage = event => resolve(event.data);
            });
            const service_worker = navigator.serviceWorker.register('/service-worker.js')
                .then(() => navigator.serviceWorker.ready)
                .then(() => 'installed');
            window.settled = Promise.all([frames, worker, service_worker])
                .then(([frames, worker, service_worker]) => ({...frames, worker, service_worker}));
            )")},
        {"/frame",
         page_with_script(std::string(frame_says) + "Promise.all([" +
                          probe_script(recorder, "/frame") +
                          ", frame_says('http://127.0.0.1:' + location.port + '/nested-frame')])" +
                          ".then(([frame, nested_frame]) => " +
                          "parent.postMessage({frame, nested_frame}, '*'));")},
        {"/nested-frame", page_with_script(probe_script(recorder, "/nested-frame") +
                                           ".then(said => parent.postMessage(said, '*'));")},
        {"/worker.js", probe_script(recorder, "/worker") + ".then(said => postMessage(said));"},
        // Installed once its request has settled.
        {"/service-worker.js", "addEventListener('install', event => event.waitUntil(" +
                                   probe_script(recorder, "/service-worker") + "));"},
    };
}

asio::awaitable<void> child_targets_follow_the_guard(BrowserEngine& engine, PageServer& pages,
                                                     ConnectionRecorder& recorder) {
    Request request = browser_request(pages.url("/children"));
    Action settled;
    settled.type = ActionType::evaluate;
    settled.script = "window.settled";
    request.actions.push_back(settled);
    const PageLoadResult result = co_await load(engine, request);
    CHECK(result.status == JobStatus::success);
    REQUIRE(result.actions.size() == 1);
    INFO(result.actions[0].error.value_or("no error"));
    // Every child ran (it answered), and none of their requests got through.
    CHECK(result.actions[0].value_json.value_or("no value") ==
          R"({"frame":"refused","nested_frame":"refused","worker":"refused",)"
          R"("service_worker":"installed"})");
    name_requests_seen(recorder);
    CHECK(recorder.connections_accepted() == 0);
}

// Loads that no page's interception sees: a preconnect, speculation rules' prefetch and prerender
// (made by the browser itself), beside a <link rel=prefetch> that the page's interception does see.
std::string page_with_speculative_loads(const ConnectionRecorder& recorder) {
    return R"(<html><head><link rel="preconnect" href=")" + recorder.url("/") +
           R"("><link rel="prefetch" href=")" + recorder.url("/link-prefetch") +
           R"("><script type="speculationrules">{"prefetch": [{"source": "list", "urls": [")" +
           recorder.url("/speculative-prefetch") +
           R"("]}], "prerender": [{"source": "list", "urls": [")" +
           recorder.url("/speculative-prerender") +
           R"("]}]}</script></head><body><h1>Speculative</h1></body></html>)";
}

asio::awaitable<void> loads_outside_the_page_are_off(BrowserEngine& engine, PageServer& pages,
                                                     ConnectionRecorder& recorder) {
    Request request = browser_request(pages.url("/speculative"));
    // Chromium starts speculative loads within a fraction of a second of the page's parsing;
    // the page is given a good while longer. A shared worker would be a target of the browser's,
    // not the page's, so it must not exist at all.
    Action later;
    later.type = ActionType::evaluate;
    later.script = "new Promise(resolve => setTimeout(() => resolve(typeof SharedWorker), 1500))";
    request.actions.push_back(later);
    const PageLoadResult result = co_await load(engine, request);
    CHECK(result.status == JobStatus::success);
    REQUIRE(result.actions.size() == 1);
    CHECK(result.actions[0].value_json.value_or("no value") == "\"undefined\"");
    name_requests_seen(recorder);
    CHECK(recorder.connections_accepted() == 0);
}

}  // namespace

TEST_CASE("with the guard on, a page on loopback is blocked by address and by localhost",
          "[browser][guard]") {
    asio::io_context io;
    TargetServer target(io);
    BrowserEngine engine(io.get_executor(), guarded_options());
    asyncscrape::test::run_test_coroutine(io, loopback_pages_are_blocked(engine, target));
}

TEST_CASE("with the guard on, a redirect to a refused address is blocked", "[browser][guard]") {
    asio::io_context io;
    TargetServer target(io);
    BrowserEngine engine(io.get_executor(), admitting_loopback_options());
    asyncscrape::test::run_test_coroutine(io, redirect_to_loopback_is_blocked(engine, target));
}

TEST_CASE("with the guard on, a page's requests to refused addresses fail, the page loads",
          "[browser][guard]") {
    asio::io_context io;
    TargetServer target(io);
    PageServer pages(io, {{"/outside", page_with_image(target)}});
    BrowserEngine engine(io.get_executor(), admitting_loopback_options());
    asyncscrape::test::run_test_coroutine(io,
                                          subresources_follow_the_guard(engine, pages, target, 0));
}

TEST_CASE("with the guard off, the same page's requests reach loopback", "[browser][guard]") {
    asio::io_context io;
    TargetServer target(io);
    PageServer pages(io, {{"/outside", page_with_image(target)}});
    BrowserEngineOptions options;
    options.allow_private_targets = true;
    BrowserEngine engine(io.get_executor(), options);
    asyncscrape::test::run_test_coroutine(io,
                                          subresources_follow_the_guard(engine, pages, target, 1));
}

TEST_CASE("with the guard on, requests of out-of-process iframes and of workers are guarded too",
          "[browser][guard]") {
    asio::io_context io;
    ConnectionRecorder recorder(io);
    PageServer pages(io, pages_with_child_targets(recorder));
    BrowserEngine engine(io.get_executor(), admitting_localhost_options());
    asyncscrape::test::run_test_coroutine(io,
                                          child_targets_follow_the_guard(engine, pages, recorder));
}

TEST_CASE("speculative loads, preconnects and shared workers, which no page intercepts, are off",
          "[browser][guard]") {
    asio::io_context io;
    ConnectionRecorder recorder(io);
    PageServer pages(io, {{"/speculative", page_with_speculative_loads(recorder)}});
    BrowserEngine engine(io.get_executor(), admitting_loopback_options());
    asyncscrape::test::run_test_coroutine(io,
                                          loads_outside_the_page_are_off(engine, pages, recorder));
}
