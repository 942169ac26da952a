// Runs a test's coroutine to completion on an io_context shared with the servers it talks to.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace asyncscrape::test {

// Runs `io` until `done` (set by a completion handler) holds. Throws when `time_limit` passes
// first or the io_context runs out of work.
void run_until_done(boost::asio::io_context& io, const bool& done,
                    std::chrono::milliseconds time_limit);

// Spawns `task` on `io`, runs the io_context until it finishes (other coroutines, such as a
// target server's, are left where they are) and returns its value or rethrows its exception.
// Throws, failing the test, when it has not finished within `time_limit`.
template <class T>
T run_test_coroutine(boost::asio::io_context& io, boost::asio::awaitable<T> task,
                     std::chrono::milliseconds time_limit = std::chrono::seconds(60)) {
    bool done = false;
    std::exception_ptr failure;
    if constexpr (std::is_void_v<T>) {
        boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr error) {
            failure = error;
            done = true;
        });
        run_until_done(io, done, time_limit);
        if (failure) {
            std::rethrow_exception(failure);
        }
    } else {
        std::optional<T> value;
        boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr error, T result) {
            failure = error;
            value = std::move(result);
            done = true;
        });
        run_until_done(io, done, time_limit);
        if (failure) {
            std::rethrow_exception(failure);
        }
        return std::move(*value);
    }
}

}  // namespace asyncscrape::test
