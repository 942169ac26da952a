// Timestamps on the wire: RFC 3339 UTC with milliseconds, e.g. 2026-11-28T17:00:00.123Z.
#pragma once

#include <asyncscrape/model.hpp>

#include <array>
#include <string>
#include <string_view>

namespace asyncscrape {

// The text in place: its 24 characters are more than a std::string keeps without allocating (15).
class Rfc3339Text {
  public:
    explicit Rfc3339Text(TimePoint time);
    std::string_view view() const { return {chars_.data(), chars_.size()}; }

  private:
    std::array<char, 24> chars_;
};

std::string format_rfc3339(TimePoint time);

}  // namespace asyncscrape
