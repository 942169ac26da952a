// A bound on the deliveries in flight: many runs may end at once, and each delivery would
// otherwise open a connection at the same moment. Tries beyond the limit wait their turn in
// arrival order, holding no connection. Single-threaded, on the notifier's io_context.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <list>
#include <memory>

namespace asyncscrape::webhook {

class DeliverySlots {
  public:
    DeliverySlots(boost::asio::any_io_executor executor, std::size_t limit);

    // Resumes with true holding a slot (give it back with release()), or false without one when
    // the awaiting coroutine was cancelled or close() was called first.
    boost::asio::awaitable<bool> acquire();
    void release();

    // Wakes every waiter empty-handed; later acquires fail at once.
    void close();

    std::size_t in_use() const { return in_use_; }
    std::size_t waiting() const { return waiters_.size(); }

  private:
    struct Waiter {
        explicit Waiter(boost::asio::any_io_executor executor);
        boost::asio::steady_timer wakeup;  // never expires by itself: cancelled to wake
        bool granted = false;
    };

    boost::asio::any_io_executor executor_;
    std::size_t limit_;
    std::size_t in_use_ = 0;
    bool closed_ = false;
    // Shared with the waiting coroutine's frame, so that neither outlives what the other uses.
    std::list<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace asyncscrape::webhook
