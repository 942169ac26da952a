// The private-address guard of page loads against real Chromium: with the guard on, no request of
// a page (the navigation, a redirect, a subresource, a script's fetch) reaches a refused address,
// and a refused main document fails the load in the fetcher's words. Only loopback is used: the
// pages that must pass the guard are served on 127.0.0.1, which those engines admit, while
// `localhost` (127.0.0.1 and ::1, and ::1 is not admitted) stays refused.
#include "browser/browser_engine.hpp"
#include "integration/browser/browser_test_support.hpp"
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
    CHECK(result.actions[0].value_json == "\"settled\"");
    CHECK(target.requests_seen("/image.png") == expected_requests);
    CHECK(target.requests_seen("/fetched") == expected_requests);
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
