#include "engine/retry_policy.hpp"

#include <algorithm>

namespace asyncscrape::engine {

std::optional<Millis> RetryPolicy::next_delay(const Attempt& attempt, Millis time_left,
                                              double unit_draw) const {
    if (!attempt.retryable || attempt.number > max_retries) {
        return std::nullopt;
    }
    // Exponential ceiling base * 2^(n-1), capped; the wait is a uniform draw below it, but never
    // shorter than half of it so that a retry does not follow at once.
    const int doublings = std::min(attempt.number - 1, 30);
    const auto ceiling = std::min<Millis::rep>(base_delay.count() << doublings, max_delay.count());
    const double draw = std::clamp(unit_draw, 0.0, 1.0);
    Millis delay{static_cast<Millis::rep>(static_cast<double>(ceiling) * (0.5 + draw / 2))};
    if (attempt.retry_after) {
        delay = std::max(delay, *attempt.retry_after);  // the target knows best when to come back
    }
    if (delay >= time_left) {
        return std::nullopt;  // the attempt could not even start inside the deadline
    }
    return delay;
}

}  // namespace asyncscrape::engine
