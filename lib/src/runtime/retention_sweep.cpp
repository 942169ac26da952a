#include "runtime/retention_sweep.hpp"

#include "util/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace asyncscrape {

namespace asio = boost::asio;

struct RetentionSweepState {
    RetentionSweepState(asio::any_io_executor executor, Store& store_,
                        std::chrono::seconds retention_, std::chrono::milliseconds interval_)
        : store(store_), retention(retention_), interval(interval_), timer(std::move(executor)) {}

    Store& store;
    std::chrono::seconds retention;
    std::chrono::milliseconds interval;
    asio::steady_timer timer;
    // Reaches the timer's wait and the store's sweep, whichever the coroutine is in.
    asio::cancellation_signal stop_signal;
    bool stopped = false;
};

namespace {

// Keeps the state, and so the cancellation signal its slot belongs to, until the coroutine has
// completed. An exception here would be a bug: the loop catches what a sweep throws.
struct SweepEnded {
    std::shared_ptr<RetentionSweepState> state;

    void operator()(std::exception_ptr failure) const {
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                log(LogLevel::error, "retention sweeper ended: ", e.what());
            }
        }
    }
};

asio::awaitable<void> sweep_once(RetentionSweepState& state) {
    try {
        const std::int64_t removed =
            co_await state.store.remove_runs_finished_before(Clock::now() - state.retention);
        if (removed > 0) {
            log(LogLevel::info, "retention: removed ", removed, " runs that ended more than ",
                state.retention.count(), " s ago");
        }
        co_await state.store.remove_idempotent_replies_before(Clock::now() -
                                                              idempotent_reply_lifetime);
    } catch (const std::exception& e) {
        // Stopping may cut a store call short; that is no failure worth a warning.
        if (!state.stopped) {
            log(LogLevel::warn, "retention sweep failed, trying again in ", state.interval.count(),
                " ms: ", e.what());
        }
    }
}

asio::awaitable<void> sweep_periodically(std::shared_ptr<RetentionSweepState> state) {
    while (!state->stopped) {
        state->timer.expires_after(state->interval);
        // Expired or cancelled alike: `stopped` tells which.
        co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (state->stopped) {
            co_return;
        }
        co_await sweep_once(*state);
    }
}

}  // namespace

RetentionSweep::RetentionSweep(asio::any_io_executor executor, Store& store,
                               std::chrono::seconds retention, std::chrono::milliseconds interval)
    : state_(std::make_shared<RetentionSweepState>(executor, store, retention, interval)) {
    asio::co_spawn(std::move(executor), sweep_periodically(state_),
                   asio::bind_cancellation_slot(state_->stop_signal.slot(), SweepEnded{state_}));
}

RetentionSweep::~RetentionSweep() {
    stop();
}

void RetentionSweep::stop() {
    if (state_->stopped) {
        return;
    }
    state_->stopped = true;
    // Once only: the coroutine has not ended before `stopped` was set, so the slot is live.
    state_->stop_signal.emit(asio::cancellation_type::terminal);
}

}  // namespace asyncscrape
