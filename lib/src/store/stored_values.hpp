// How model values that are not worth a column each are kept in the database: requests, header
// lists, action outcomes and timings as compact JSON text, times as nanoseconds since the epoch,
// enums as their wire spellings. Reading back gives exactly what was written; text that does not
// parse throws SqliteError(SQLITE_CORRUPT).
#pragma once

#include <asyncscrape/model.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asyncscrape {

std::string encode_request(const Request& request);
Request decode_request(std::string_view text);

std::string encode_headers(const HeaderList& headers);
HeaderList decode_headers(std::string_view text);

std::string encode_action_outcomes(const std::vector<ActionOutcome>& outcomes);
std::vector<ActionOutcome> decode_action_outcomes(std::string_view text);

std::string encode_timings(const Timings& timings);
Timings decode_timings(std::string_view text);

std::int64_t to_nanoseconds(TimePoint time);
TimePoint from_nanoseconds(std::int64_t count);
std::optional<std::int64_t> to_nanoseconds(const std::optional<TimePoint>& time);
std::optional<TimePoint> from_nanoseconds(const std::optional<std::int64_t>& count);

RunStatus decode_run_status(std::string_view text);
JobStatus decode_job_status(std::string_view text);
CallbackStatus decode_callback_status(std::string_view text);

}  // namespace asyncscrape
