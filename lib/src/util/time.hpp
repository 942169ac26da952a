// Timestamps on the wire: RFC 3339 UTC with milliseconds, e.g. 2026-11-28T17:00:00.123Z.
#pragma once

#include <asyncscrape/model.hpp>

#include <string>

namespace asyncscrape {

std::string format_rfc3339(TimePoint time);

}  // namespace asyncscrape
