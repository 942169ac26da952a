// What the fetch integration tests share: configurations and requests for loopback targets.
#pragma once

#include "fetch/http_client.hpp"
#include "support/target_server.hpp"

#include <asyncscrape/config.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

namespace asyncscrape::test {

// Loopback targets allowed, the test CA trusted.
inline RuntimeConfig local_config() {
    RuntimeConfig config;
    config.allow_private_targets = true;
    config.extra_ca_file = TargetServer::ca_file();
    return config;
}

inline fetch::FetchRequest request_to(
    std::string url, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    fetch::FetchRequest request;
    request.url = std::move(url);
    request.deadline = std::chrono::steady_clock::now() + timeout;
    return request;
}

inline std::optional<std::string> header(const fetch::FetchResult& result, std::string_view name) {
    const auto found = std::find_if(result.headers.begin(), result.headers.end(),
                                    [&](const auto& field) { return field.first == name; });
    if (found == result.headers.end()) {
        return std::nullopt;
    }
    return found->second;
}

inline boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, duration);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

inline double milliseconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

}  // namespace asyncscrape::test
