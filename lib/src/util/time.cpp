#include "util/time.hpp"

#include <chrono>

namespace asyncscrape {
namespace {

// Writes `value` as exactly `width` decimal digits (zero-padded) at `out`; returns the end.
char* put_digits(char* out, long long value, int width) {
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return out + width;
}

}  // namespace

// Formatted by hand with the C++20 calendar: timestamps go into every run and job object, and
// snprintf with its locale machinery showed up in profiles of GET of a run.
Rfc3339Text::Rfc3339Text(TimePoint time) {
    using namespace std::chrono;
    const auto millis = floor<milliseconds>(time);
    const auto day = floor<days>(millis);
    const year_month_day date{day};
    const hh_mm_ss clock{millis - day};

    char* out = chars_.data();
    out = put_digits(out, static_cast<int>(date.year()), 4);
    *out++ = '-';
    out = put_digits(out, static_cast<unsigned>(date.month()), 2);
    *out++ = '-';
    out = put_digits(out, static_cast<unsigned>(date.day()), 2);
    *out++ = 'T';
    out = put_digits(out, clock.hours().count(), 2);
    *out++ = ':';
    out = put_digits(out, clock.minutes().count(), 2);
    *out++ = ':';
    out = put_digits(out, clock.seconds().count(), 2);
    *out++ = '.';
    out = put_digits(out, clock.subseconds().count(), 3);
    *out = 'Z';
}

std::string format_rfc3339(TimePoint time) {
    return std::string(Rfc3339Text(time).view());
}

}  // namespace asyncscrape
