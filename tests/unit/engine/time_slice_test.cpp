#include "util/time_slice.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <string>
#include <vector>

using asyncscrape::TimeSlice;
namespace asio = boost::asio;

namespace {

// A loop of `steps` that writes 'L' per step and gives way whenever its slice is spent.
asio::awaitable<void> sliced_loop(int steps, TimeSlice::Clock::duration length, std::string& trace,
                                  std::uint64_t& yields) {
    TimeSlice slice(length);
    for (int i = 0; i < steps; ++i) {
        if (slice.used_up()) {
            co_await slice.yield();
        }
        trace += 'L';
    }
    yields = slice.yields();
}

void rethrow(std::exception_ptr error) {
    if (error) {
        std::rethrow_exception(error);
    }
}

}  // namespace

TEST_CASE("a spent slice lets work that was queued meanwhile run before the loop goes on",
          "[time_slice]") {
    asio::io_context io;
    std::string trace;
    std::uint64_t yields = 0;
    // A zero-length slice is spent at every clock read: every 64th step.
    asio::co_spawn(io, sliced_loop(200, TimeSlice::Clock::duration::zero(), trace, yields),
                   rethrow);
    asio::post(io, [&] { trace += 'X'; });
    io.run();
    CHECK(yields == 3);
    // The other handler ran at the first yield, after 63 steps (the 64th step reads the clock).
    CHECK(trace.find('X') == 63);
    CHECK(std::count(trace.begin(), trace.end(), 'L') == 200);
}

TEST_CASE("a slice that is not spent never gives way", "[time_slice]") {
    asio::io_context io;
    std::string trace;
    std::uint64_t yields = 0;
    asio::co_spawn(io, sliced_loop(1000, std::chrono::hours(1), trace, yields), rethrow);
    asio::post(io, [&] { trace += 'X'; });
    io.run();
    CHECK(yields == 0);
    CHECK(trace.find('X') == 1000);
}
