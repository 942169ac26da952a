#include "api/rate_limiter.hpp"

#include <algorithm>

namespace asyncscrape::api {
namespace {

constexpr std::int64_t unit = 1'000'000'000;  // one call, in billionths of a token
constexpr std::int64_t nanoseconds_per_second = 1'000'000'000;
// Beyond a billion calls a second the limit is no limit; the cap keeps 2N * unit in 64 bits.
constexpr std::size_t max_per_second = 1'000'000'000;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
    return (a + b - 1) / b;
}

}  // namespace

RateLimiter::RateLimiter(std::size_t per_second, std::size_t sweep_at)
    : per_second_(std::min(per_second, max_per_second)),
      capacity_(2 * static_cast<std::int64_t>(per_second_) * unit),
      sweep_at_(std::max<std::size_t>(sweep_at, 1)),
      next_sweep_(sweep_at_) {}

std::int64_t RateLimiter::refilled(const Bucket& bucket, Clock::time_point now) const {
    const std::int64_t elapsed =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - bucket.updated).count();
    if (elapsed <= 0) {
        return bucket.tokens;
    }
    const auto rate = static_cast<std::int64_t>(per_second_);
    // Compared before multiplying: a key idle for hours would overflow the product.
    if (elapsed >= ceil_div(capacity_ - bucket.tokens, rate)) {
        return capacity_;
    }
    return bucket.tokens + elapsed * rate;
}

void RateLimiter::sweep(Clock::time_point now) {
    std::erase_if(buckets_,
                  [&](const auto& entry) { return refilled(entry.second, now) == capacity_; });
    next_sweep_ = std::max(sweep_at_, 2 * buckets_.size());
}

std::optional<std::chrono::seconds> RateLimiter::admit(std::string_view key,
                                                       Clock::time_point now) {
    if (!enabled()) {
        return std::nullopt;
    }
    auto found = buckets_.find(std::string(key));
    if (found == buckets_.end()) {
        if (buckets_.size() >= next_sweep_) {
            sweep(now);
        }
        found = buckets_.emplace(std::string(key), Bucket{capacity_, now}).first;
    }
    Bucket& bucket = found->second;
    bucket.tokens = refilled(bucket, now);
    bucket.updated = std::max(bucket.updated, now);
    if (bucket.tokens >= unit) {
        bucket.tokens -= unit;
        return std::nullopt;
    }
    const std::int64_t wait_ns =
        ceil_div(unit - bucket.tokens, static_cast<std::int64_t>(per_second_));
    return std::chrono::seconds(
        std::max<std::int64_t>(ceil_div(wait_ns, nanoseconds_per_second), 1));
}

}  // namespace asyncscrape::api
