// Writing the log (the level and its setting are public: asyncscrape/log.hpp). Single-threaded by
// design like the rest of the runtime; cheap when the level is off.
#pragma once

#include <asyncscrape/log.hpp>

#include <exception>
#include <sstream>
#include <string>
#include <string_view>

namespace asyncscrape {

void write_log_line(LogLevel level, std::string_view message);

// log(LogLevel::info, "listening on ", host, ':', port);
template <class... Parts>
void log(LogLevel level, const Parts&... parts) {
    if (level < log_level()) {
        return;
    }
    std::ostringstream line;
    (line << ... << parts);
    write_log_line(level, line.view());
}

// What an exception says, for a log line: its what(), or "unknown exception".
std::string describe(const std::exception_ptr& error);

}  // namespace asyncscrape
