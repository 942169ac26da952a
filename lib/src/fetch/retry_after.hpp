// The Retry-After response header (RFC 9110 §10.2.3): how long a 429 or 503 asks us to wait.
#pragma once

#include <asyncscrape/model.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace asyncscrape::fetch {

// The delay a Retry-After value asks for, given as delta-seconds or as an HTTP-date measured from
// `now` (a date in the past asks for no delay). nullopt when the value is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, TimePoint now);

// An HTTP-date in any of the three formats recipients must accept (RFC 9110 §5.6.7):
// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and
// asctime "Sun Nov  6 08:49:37 1994". Years outside 1900..2200 are not taken as dates.
std::optional<TimePoint> parse_http_date(std::string_view text);

}  // namespace asyncscrape::fetch
