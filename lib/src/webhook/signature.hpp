// The signature of a webhook delivery, so that a receiver can tell our notices from forgeries and
// replays: `X-Asyncscrape-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + raw body>`.
// The time is inside what is signed, so a receiver that refuses old timestamps refuses replays.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace asyncscrape::webhook {

inline constexpr std::string_view signature_header = "X-Asyncscrape-Signature";

// "t=<unix_seconds>,v1=<64 lower-case hex digits>", keyed with `secret`.
std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body);

}  // namespace asyncscrape::webhook
