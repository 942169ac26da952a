#include "util/time_slice.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asyncscrape {

TimeSlice::TimeSlice(Clock::duration length) : length_(length), ends_(Clock::now() + length) {}

boost::asio::awaitable<void> TimeSlice::yield() {
    // A post goes to the back of the loop's queue, behind the handlers already there; the
    // reactor is polled on the way, so I/O that became ready is among them.
    co_await boost::asio::post(co_await boost::asio::this_coro::executor,
                               boost::asio::use_awaitable);
    ++yields_;
    ends_ = Clock::now() + length_;
}

}  // namespace asyncscrape
