// Cancellation in tests: run an operation as a child coroutine and fire its cancellation slot
// after a delay, as the engine does when a run is cancelled.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <utility>

namespace asyncscrape::test {

namespace detail {

template <class T>
struct ChildOutcome {
    std::optional<T> value;
    std::exception_ptr failure;
    bool done = false;
};

// The child's completion handler: records the outcome and wakes the parent, which waits on
// `finished` (a timer that never expires by itself).
template <class T>
struct RecordChildOutcome {
    ChildOutcome<T>* outcome;
    boost::asio::steady_timer* finished;

    void operator()(std::exception_ptr failure, T value) const {
        outcome->failure = failure;
        outcome->value = std::move(value);
        outcome->done = true;
        finished->cancel();
    }
};

}  // namespace detail

// Runs `task` as a child of the calling coroutine, emits `type` on its cancellation slot after
// `delay` (unless it finished before) and resumes with its value once it has ended.
template <class T>
boost::asio::awaitable<T> run_cancelled_after(
    boost::asio::awaitable<T> task, std::chrono::milliseconds delay,
    boost::asio::cancellation_type type = boost::asio::cancellation_type::terminal) {
    namespace asio = boost::asio;
    const auto executor = co_await asio::this_coro::executor;
    asio::cancellation_signal signal;
    asio::steady_timer finished(executor, asio::steady_timer::time_point::max());
    detail::ChildOutcome<T> outcome;
    asio::co_spawn(executor, std::move(task),
                   asio::bind_cancellation_slot(
                       signal.slot(), detail::RecordChildOutcome<T>{&outcome, &finished}));
    asio::steady_timer delay_timer(executor, delay);
    co_await delay_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!outcome.done) {
        signal.emit(type);
    }
    if (!outcome.done) {
        co_await finished.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (outcome.failure) {
        std::rethrow_exception(outcome.failure);
    }
    co_return std::move(*outcome.value);
}

}  // namespace asyncscrape::test
