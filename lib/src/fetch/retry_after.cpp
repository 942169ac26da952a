#include "fetch/retry_after.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

namespace asyncscrape::fetch {

namespace {

// Longer waits than this are not a request to wait but a way to park a job forever.
constexpr std::int64_t max_delta_seconds = 365LL * 24 * 3600;

// The years taken as HTTP dates: every server's, and well inside what a TimePoint holds.
constexpr int min_year = 1900;
constexpr int max_year = 2200;

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

template <class Int>
std::optional<Int> parse_digits(std::string_view text) {
    Int value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<unsigned> parse_month(std::string_view name) {
    static constexpr std::array<std::string_view, 12> names{
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto found = std::find(names.begin(), names.end(), name);
    if (found == names.end()) {
        return std::nullopt;
    }
    return static_cast<unsigned>(found - names.begin()) + 1;
}

// "08:49:37"
std::optional<std::chrono::seconds> parse_time_of_day(std::string_view text) {
    if (text.size() != 8 || text[2] != ':' || text[5] != ':') {
        return std::nullopt;
    }
    const auto hours = parse_digits<int>(text.substr(0, 2));
    const auto minutes = parse_digits<int>(text.substr(3, 2));
    const auto seconds = parse_digits<int>(text.substr(6, 2));
    if (!hours || !minutes || !seconds || *hours > 23 || *minutes > 59 || *seconds > 60) {
        return std::nullopt;
    }
    return std::chrono::hours(*hours) + std::chrono::minutes(*minutes) +
           std::chrono::seconds(*seconds);
}

// Splits on spaces, commas and the dashes of RFC 850's "06-Nov-94", so that the three formats
// become token lists that differ only in order.
std::vector<std::string_view> tokens_of(std::string_view text) {
    std::vector<std::string_view> tokens;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == ' ' || text[i] == ',' || text[i] == '-') {
            if (i > start) {
                tokens.push_back(text.substr(start, i - start));
            }
            start = i + 1;
        }
    }
    return tokens;
}

}  // namespace

std::optional<TimePoint> parse_http_date(std::string_view text) {
    const std::vector<std::string_view> tokens = tokens_of(trim(text));
    std::string_view day, month, year, time;
    if (tokens.size() == 6 && tokens[5] == "GMT") {  // IMF-fixdate and RFC 850
        day = tokens[1], month = tokens[2], year = tokens[3], time = tokens[4];
    } else if (tokens.size() == 5) {  // asctime
        month = tokens[1], day = tokens[2], time = tokens[3], year = tokens[4];
    } else {
        return std::nullopt;
    }
    const auto day_number = parse_digits<unsigned>(day);
    const auto month_number = parse_month(month);
    auto year_number = parse_digits<int>(year);
    const auto time_of_day = parse_time_of_day(time);
    if (!day_number || !month_number || !year_number || !time_of_day) {
        return std::nullopt;
    }
    if (year.size() == 2) {  // RFC 850's two-digit year: the nearest one, 1970..2069
        *year_number += *year_number < 70 ? 2000 : 1900;
    }
    // A TimePoint counts nanoseconds and holds only the years 1678 to 2261: beyond them the
    // conversion below would overflow, and no server's date is there.
    if (*year_number < min_year || *year_number > max_year) {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year{*year_number},
                                           std::chrono::month{*month_number},
                                           std::chrono::day{*day_number}};
    if (!date.ok()) {
        return std::nullopt;
    }
    return TimePoint{std::chrono::sys_days{date} + *time_of_day};
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, TimePoint now) {
    value = trim(value);
    if (!value.empty() &&
        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        // Too many digits for any integer is still a (very long) delay.
        const auto seconds = parse_digits<std::int64_t>(value).value_or(max_delta_seconds);
        return std::chrono::seconds(std::min(seconds, max_delta_seconds));
    }
    const auto date = parse_http_date(value);
    if (!date) {
        return std::nullopt;
    }
    return std::max(std::chrono::milliseconds{0},
                    std::chrono::ceil<std::chrono::milliseconds>(*date - now));
}

}  // namespace asyncscrape::fetch
