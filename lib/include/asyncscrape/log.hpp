// The runtime's log: one line per event on stderr, with a UTC timestamp and the level (runs
// started and ended, jobs that failed inside the runtime, the server's start and stop). The level
// is one for the whole process; an embedding program sets it before it starts the runtime.
#pragma once

#include <optional>
#include <string_view>

namespace asyncscrape {

enum class LogLevel { debug, info, warn, error, off };

// Lines below `level` are not written (info by default).
void set_log_level(LogLevel level);
LogLevel log_level();
// "debug", "info", "warn", "error" or "off".
std::optional<LogLevel> parse_log_level(std::string_view text);
std::string_view to_string(LogLevel level);

}  // namespace asyncscrape
