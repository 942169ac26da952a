// A condition-variable for coroutines on one thread: wait() suspends until the next
// notify_all(). Waiters re-check their condition in a loop; on a single thread nothing can change
// between that check and the wait, so no wake-up is lost.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asyncscrape::server {

class Wakeup {
  public:
    explicit Wakeup(const boost::asio::any_io_executor& executor)
        : timer_(executor, boost::asio::steady_timer::time_point::max()) {}

    boost::asio::awaitable<void> wait() {
        // The timer never expires: every wait ends with operation_aborted from notify_all().
        co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }

    void notify_all() { timer_.cancel(); }

  private:
    boost::asio::steady_timer timer_;
};

}  // namespace asyncscrape::server
