// What the browser tests share: a started browser and short ways to call it.
#pragma once

#include "browser/browser.hpp"
#include "browser/browser_engine.hpp"

#include <asyncscrape/model.hpp>

#include <catch2/catch.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace asyncscrape::test {

// Long enough for a loaded machine, far shorter than the test's own time limit.
constexpr std::chrono::seconds cdp_deadline{15};

inline browser::SteadyTime cdp_deadline_from_now() {
    return std::chrono::steady_clock::now() + cdp_deadline;
}

inline boost::asio::awaitable<std::unique_ptr<browser::Browser>> launch_test_browser(
    std::string executable) {
    browser::BrowserOptions options;
    options.chromium.executable = std::move(executable);
    Outcome<std::unique_ptr<browser::Browser>> launched =
        co_await browser::Browser::launch(options);
    INFO((launched ? std::string() : launched.error().detail));
    REQUIRE(launched);
    co_return std::move(launched).value();
}

// Debian's chromium. Not a default argument of the coroutine: GCC 12 miscompiles those.
inline boost::asio::awaitable<std::unique_ptr<browser::Browser>> launch_test_browser() {
    std::string executable = browser::ChromiumOptions{}.executable;
    return launch_test_browser(std::move(executable));
}

// Named, because GCC 12 miscompiles brace-initialised temporaries passed to a coroutine in a
// co_await expression.
inline const boost::json::object no_params;
inline const std::string browser_session;

// One command with the test's deadline; a failure fails the test with the CDP message.
inline boost::asio::awaitable<boost::json::object> call_ok(browser::CdpClient& cdp,
                                                           std::string method,
                                                           boost::json::object params,
                                                           std::string session_id) {
    const std::string name = method;
    browser::CdpOutcome<boost::json::object> outcome = co_await cdp.call(
        std::move(method), std::move(params), std::move(session_id), cdp_deadline_from_now());
    INFO(name << ": " << outcome.message);
    REQUIRE(outcome.ok());
    co_return std::move(outcome.value);
}

// A browser request for `url` with its own deadline.
inline Request browser_request(std::string url, std::int64_t timeout_ms = 15000) {
    Request request;
    request.url = std::move(url);
    request.browser = true;
    request.timeout_ms = timeout_ms;
    return request;
}

// Loads `request` until its deadline; the request lives in this frame for as long as the load
// needs it.
inline boost::asio::awaitable<browser::PageLoadResult> load(browser::BrowserEngine& engine,
                                                            Request request) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds{request.timeout_ms};
    browser::PageLoadResult result = co_await engine.load(request, deadline);
    INFO(request.url << ": " << result.error.value_or("no error"));
    co_return result;
}

}  // namespace asyncscrape::test
