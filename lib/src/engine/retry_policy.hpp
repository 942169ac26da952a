// When a failed attempt is worth another, and how long to wait first. Pure: the caller passes the
// clock reading and the random draw, so the policy is tested without sleeping.
#pragma once

#include <chrono>
#include <optional>

namespace asyncscrape::engine {

using Millis = std::chrono::milliseconds;

struct RetryPolicy {
    int max_retries = 2;      // attempts after the first
    Millis base_delay{250};   // first backoff; doubles with each attempt
    Millis max_delay{10000};  // ceiling of the backoff (Retry-After may ask for more)

    // Statuses that say "try again later": too many requests and the gateway/availability ones.
    static bool retryable_status(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    struct Attempt {
        int number = 1;                     // 1 for the first attempt
        bool retryable = false;             // a connection error or a retryable status
        std::optional<Millis> retry_after;  // what the target asked for
    };

    // The wait before the next attempt, or nullopt to stop: no retries left, the failure is not
    // retryable, or the next attempt could not start before the deadline. `unit_draw` is a
    // uniform random number in [0, 1): the jitter spreads the retries of many jobs that failed
    // together, so that they do not hit the target again in lockstep.
    std::optional<Millis> next_delay(const Attempt& attempt, Millis time_left,
                                     double unit_draw) const;
};

}  // namespace asyncscrape::engine
