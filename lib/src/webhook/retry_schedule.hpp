// When the tries of one webhook delivery are made: the first at once, then seven more after
// growing pauses (30 s, 1, 2, 5, 10, 15 and 25 min, each ± 10 % so that the deliveries of many
// runs that ended together do not come back in lockstep): 8 tries over about an hour (58.5 min
// without jitter). Pure; the notifier draws the random numbers. The unit is a parameter so that
// tests run the whole schedule in milliseconds.
#pragma once

#include <chrono>
#include <cstddef>

namespace asyncscrape::webhook {

class RetrySchedule {
  public:
    static constexpr int default_max_tries = 8;

    // `unit` is what one second of the production schedule lasts; `jitter` the fraction by which
    // a pause may be shorter or longer (0 for none).
    explicit RetrySchedule(std::chrono::microseconds unit = std::chrono::seconds(1),
                           double jitter = 0.1);

    int max_tries() const { return default_max_tries; }

    // The pause before try `try_number` (1-based) since the end of the try before it: zero for
    // the first. `random01` in [0, 1) picks the jitter (0.5: none). Past max_tries(): the last
    // pause.
    std::chrono::microseconds delay_before(int try_number, double random01) const;

    // The pauses' sum without jitter: how long the schedule lasts besides the tries themselves.
    std::chrono::microseconds nominal_total() const;

  private:
    std::chrono::microseconds unit_;
    double jitter_;
};

}  // namespace asyncscrape::webhook
