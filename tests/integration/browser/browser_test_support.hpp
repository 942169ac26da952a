// What the browser tests share: a started browser and short ways to call it.
#pragma once

#include "browser/browser.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace asyncscrape::test {

// Long enough for a loaded machine, far shorter than the test's own time limit.
constexpr std::chrono::seconds cdp_deadline{15};

inline browser::SteadyTime cdp_deadline_from_now() {
    return std::chrono::steady_clock::now() + cdp_deadline;
}

inline boost::asio::awaitable<std::unique_ptr<browser::Browser>> launch_test_browser() {
    browser::BrowserOptions options;
    Outcome<std::unique_ptr<browser::Browser>> launched =
        co_await browser::Browser::launch(options);
    INFO((launched ? std::string() : launched.error().detail));
    REQUIRE(launched);
    co_return std::move(launched).value();
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

}  // namespace asyncscrape::test
