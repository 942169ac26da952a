#include "util/log.hpp"

#include "util/time.hpp"

#include <cstdio>
#include <string>

namespace asyncscrape {
namespace {

LogLevel current_level = LogLevel::info;

}  // namespace

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return "debug";
        case LogLevel::info:
            return "info";
        case LogLevel::warn:
            return "warn";
        case LogLevel::error:
            return "error";
        case LogLevel::off:
            return "off";
    }
    return "?";
}

void set_log_level(LogLevel level) {
    current_level = level;
}
LogLevel log_level() {
    return current_level;
}

std::optional<LogLevel> parse_log_level(std::string_view text) {
    for (auto level :
         {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error, LogLevel::off}) {
        if (text == to_string(level)) {
            return level;
        }
    }
    return std::nullopt;
}

void write_log_line(LogLevel level, std::string_view message) {
    const Rfc3339Text stamp(Clock::now());
    std::fprintf(stderr, "%.*s %-5.*s %.*s\n", static_cast<int>(stamp.view().size()),
                 stamp.view().data(), static_cast<int>(to_string(level).size()),
                 to_string(level).data(), static_cast<int>(message.size()), message.data());
}

std::string describe(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown exception";
    }
}

}  // namespace asyncscrape
