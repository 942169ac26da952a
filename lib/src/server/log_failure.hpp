// The completion handler of every coroutine spawned without a waiting parent: whatever escapes it
// is logged, never lost (co_spawn's `detached` would swallow it).
#pragma once

#include "util/log.hpp"

#include <exception>
#include <string_view>

namespace asyncscrape::server {

struct LogFailure {
    std::string_view what;  // names the coroutine in the log line

    void operator()(const std::exception_ptr& failure) const {
        if (!failure) {
            return;
        }
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            log(LogLevel::error, what, " failed: ", e.what());
        } catch (...) {
            log(LogLevel::error, what, " failed with an unknown exception");
        }
    }
};

}  // namespace asyncscrape::server
