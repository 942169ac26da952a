#include "support/run_test_coroutine.hpp"

#include <stdexcept>
#include <string>

namespace asyncscrape::test {

void run_until_done(boost::asio::io_context& io, const bool& done,
                    std::chrono::milliseconds time_limit) {
    io.restart();
    const auto deadline = std::chrono::steady_clock::now() + time_limit;
    while (!done) {
        if (io.run_one_until(deadline) > 0) {
            continue;
        }
        if (io.stopped()) {
            throw std::runtime_error(
                "the io_context ran out of work before the test coroutine ended");
        }
        throw std::runtime_error("the test coroutine did not finish within " +
                                 std::to_string(time_limit.count()) + " ms");
    }
}

}  // namespace asyncscrape::test
