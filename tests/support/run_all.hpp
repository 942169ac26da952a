// Concurrency in tests: run several coroutines at once and collect their values in order.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

namespace asyncscrape::test {

namespace detail {

template <class T>
struct AllOutcomes {
    std::vector<std::optional<T>> values;
    std::exception_ptr failure;
    std::size_t remaining = 0;
};

// One child's completion handler: records its value and wakes the parent after the last one.
template <class T>
struct RecordOneOutcome {
    AllOutcomes<T>* outcomes;
    std::size_t index;
    boost::asio::steady_timer* finished;

    void operator()(std::exception_ptr failure, T value) const {
        if (failure && !outcomes->failure) {
            outcomes->failure = failure;
        }
        outcomes->values[index] = std::move(value);
        if (--outcomes->remaining == 0) {
            finished->cancel();
        }
    }
};

}  // namespace detail

// Starts every task at once on the current executor and resumes when all have finished, with
// their values in the order given (or the first exception).
template <class T>
boost::asio::awaitable<std::vector<T>> run_all(std::vector<boost::asio::awaitable<T>> tasks) {
    namespace asio = boost::asio;
    const auto executor = co_await asio::this_coro::executor;
    detail::AllOutcomes<T> outcomes{std::vector<std::optional<T>>(tasks.size()), nullptr,
                                    tasks.size()};
    asio::steady_timer finished(executor, asio::steady_timer::time_point::max());
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        asio::co_spawn(executor, std::move(tasks[i]),
                       detail::RecordOneOutcome<T>{&outcomes, i, &finished});
    }
    if (outcomes.remaining > 0) {
        co_await finished.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (outcomes.failure) {
        std::rethrow_exception(outcomes.failure);
    }
    std::vector<T> values;
    for (auto& value : outcomes.values) {
        values.push_back(std::move(*value));
    }
    co_return values;
}

}  // namespace asyncscrape::test
