// The body of a webhook delivery: what happened (`event`), the run object's fields at the top
// level exactly as the API shows them, where its results are, and when this delivery was made.
#pragma once

#include <asyncscrape/model.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace asyncscrape::webhook {

// "run.cancelled" for a cancelled run, "run.completed" for any other ended run.
std::string_view event_of(const Run& run);

// The API path of the run's results (NDJSON): /v1/async/collections/<cid>/runs/<rid>/results.
std::string results_path(const Run& run);

// {"event", <every field of the run object>, "results_url", "timestamp": unix_seconds}, as JSON
// text. `unix_seconds` is the time of this delivery, the same the signature carries.
std::string webhook_payload(const Run& run, std::int64_t unix_seconds);

}  // namespace asyncscrape::webhook
