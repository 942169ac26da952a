// Minimal leveled logging to stderr: one line per event, with a UTC timestamp and the level.
// Single-threaded by design like the rest of the runtime; cheap when the level is off.
#pragma once

#include <optional>
#include <sstream>
#include <string_view>

namespace asyncscrape {

enum class LogLevel { debug, info, warn, error, off };

void set_log_level(LogLevel level);
LogLevel log_level();
std::optional<LogLevel> parse_log_level(std::string_view text);
std::string_view to_string(LogLevel level);

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

}  // namespace asyncscrape
