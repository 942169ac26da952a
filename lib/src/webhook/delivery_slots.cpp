#include "webhook/delivery_slots.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace asyncscrape::webhook {

namespace asio = boost::asio;

DeliverySlots::Waiter::Waiter(asio::any_io_executor executor)
    : wakeup(std::move(executor), asio::steady_timer::time_point::max()) {}

DeliverySlots::DeliverySlots(asio::any_io_executor executor, std::size_t limit)
    : executor_(std::move(executor)), limit_(std::max<std::size_t>(limit, 1)) {}

asio::awaitable<bool> DeliverySlots::acquire() {
    if (closed_) {
        co_return false;
    }
    if (in_use_ < limit_ && waiters_.empty()) {
        ++in_use_;
        co_return true;
    }
    auto waiter = std::make_shared<Waiter>(executor_);
    waiters_.push_back(waiter);
    // Woken by release() (granted) or close(), or ended by the caller's cancellation.
    co_await waiter->wakeup.async_wait(asio::as_tuple(asio::use_awaitable));
    if (waiter->granted) {
        co_return true;  // release() handed its slot over: in_use_ already counts it
    }
    waiters_.remove(waiter);
    co_return false;
}

void DeliverySlots::release() {
    if (!waiters_.empty() && !closed_) {
        // The slot goes straight to the first waiter, so no newcomer overtakes it.
        const std::shared_ptr<Waiter> next = waiters_.front();
        waiters_.pop_front();
        next->granted = true;
        next->wakeup.cancel();
        return;
    }
    if (in_use_ > 0) {
        --in_use_;
    }
}

void DeliverySlots::close() {
    closed_ = true;
    for (const auto& waiter : waiters_) {
        waiter->wakeup.cancel();
    }
}

}  // namespace asyncscrape::webhook
