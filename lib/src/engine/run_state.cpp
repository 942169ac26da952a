#include "engine/run_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asyncscrape::engine {

RunState::RunState(boost::asio::any_io_executor executor, RunKey key_, Run run_,
                   RequestList requests_)
    : key(key_),
      run(std::move(run_)),
      requests(std::move(requests_)),
      queued_since(std::chrono::steady_clock::now()),
      changed_(std::move(executor), boost::asio::steady_timer::time_point::max()) {}

void RunState::notify_change() {
    changed_.cancel();
}

boost::asio::awaitable<void> RunState::wait_for_change() {
    co_await changed_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

void RunState::cancel_jobs_in_flight() {
    for (auto& [index, signal] : job_signals) {
        signal.emit(boost::asio::cancellation_type::terminal);
    }
}

}  // namespace asyncscrape::engine
