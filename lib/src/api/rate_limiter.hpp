// The per-key limit on API calls (--rate-limit N): a token bucket per API key that holds up to 2N
// calls and refills at N a second. Pure: the caller passes the time, so tests need no sleeping.
// Not thread-safe: the server calls it from its one io_context thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace asyncscrape::api {

class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    // `per_second` calls a second for each key, bursts of twice that; zero turns the limit off.
    // A sweep for idle buckets runs whenever the number of buckets reaches `sweep_at` (and then
    // twice what the sweep left, so that its cost is spread over the calls that grew the map).
    explicit RateLimiter(std::size_t per_second, std::size_t sweep_at = 1024);

    // Takes one call from `key`'s bucket at `now`. Nothing when the call may go ahead; otherwise
    // the whole seconds until a call would be admitted (at least 1), for Retry-After. A refused
    // call takes nothing from the bucket.
    std::optional<std::chrono::seconds> admit(std::string_view key, Clock::time_point now);

    bool enabled() const { return per_second_ > 0; }
    std::size_t per_second() const { return per_second_; }
    // Buckets held: keys seen since their bucket was last found full again.
    std::size_t buckets() const { return buckets_.size(); }

  private:
    // Tokens are kept in billionths (one call costs `unit`), refilled per nanosecond at
    // `per_second_` billionths: integer arithmetic, exact at any rate and any clock step.
    struct Bucket {
        std::int64_t tokens = 0;
        Clock::time_point updated;
    };

    std::int64_t refilled(const Bucket& bucket, Clock::time_point now) const;
    // Drops the buckets that are full at `now`: a full bucket admits exactly what a new one
    // would, so forgetting it changes no answer and bounds the memory by the keys lately active.
    void sweep(Clock::time_point now);

    std::size_t per_second_;
    std::int64_t capacity_;  // 2 * per_second_ calls, in billionths
    std::size_t sweep_at_;
    std::size_t next_sweep_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace asyncscrape::api
