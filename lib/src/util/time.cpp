#include "util/time.hpp"

#include <cstdio>
#include <ctime>

namespace asyncscrape {

std::string format_rfc3339(TimePoint time) {
    using namespace std::chrono;
    const auto millis = duration_cast<milliseconds>(time.time_since_epoch()).count();
    std::time_t seconds = static_cast<std::time_t>(millis / 1000);
    int ms = static_cast<int>(millis % 1000);
    if (ms < 0) {  // before 1970: borrow a second so the fraction stays positive
        ms += 1000;
        --seconds;
    }
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, ms);
    return text;
}

}  // namespace asyncscrape
