#include "webhook/retry_schedule.hpp"

#include <algorithm>
#include <array>

namespace asyncscrape::webhook {

namespace {

// Pause before try n+1, in units (seconds in production): index 0 is the first try's.
constexpr std::array<int, RetrySchedule::default_max_tries> pauses_in_units = {0,   30,  60,  120,
                                                                               300, 600, 900, 1500};

}  // namespace

RetrySchedule::RetrySchedule(std::chrono::microseconds unit, double jitter)
    : unit_(unit), jitter_(std::clamp(jitter, 0.0, 1.0)) {}

std::chrono::microseconds RetrySchedule::delay_before(int try_number, double random01) const {
    const int index = std::clamp(try_number, 1, default_max_tries) - 1;
    const double nominal = static_cast<double>(pauses_in_units[static_cast<std::size_t>(index)]) *
                           static_cast<double>(unit_.count());
    // random01 0 → -jitter, 0.5 → none, towards 1 → +jitter.
    const double factor = 1.0 + jitter_ * (2.0 * std::clamp(random01, 0.0, 1.0) - 1.0);
    return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(nominal * factor));
}

std::chrono::microseconds RetrySchedule::nominal_total() const {
    std::chrono::microseconds total{0};
    for (const int pause : pauses_in_units) {
        total += unit_ * pause;
    }
    return total;
}

}  // namespace asyncscrape::webhook
