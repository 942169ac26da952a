// Long loops on the one event-loop thread, done in slices. Everything the runtime does shares one
// thread: a loop over a 20,000-job run (creating its records, freeing them) done in one go would
// hold every API request and every job completion behind it for tens of milliseconds. Such a
// loop asks used_up() at each step and, when the slice is spent, co_awaits yield(), which lets
// the work that became ready meanwhile run first.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>

namespace asyncscrape {

class TimeSlice {
  public:
    using Clock = std::chrono::steady_clock;

    explicit TimeSlice(Clock::duration length = std::chrono::milliseconds(1));

    // True once the slice is spent. Cheap enough for every step: it reads the clock only every
    // `steps_per_clock_read` calls.
    bool used_up() { return ++steps_ % steps_per_clock_read == 0 && Clock::now() >= ends_; }

    // Queues the caller behind the work that is ready, then starts a new slice.
    boost::asio::awaitable<void> yield();

    // How often the loop gave way so far.
    std::uint64_t yields() const { return yields_; }

  private:
    static constexpr std::uint64_t steps_per_clock_read = 64;

    Clock::duration length_;
    Clock::time_point ends_;
    std::uint64_t steps_ = 0;
    std::uint64_t yields_ = 0;
};

}  // namespace asyncscrape
