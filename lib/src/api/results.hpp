// GET .../runs/{run_id}/results: every finished job's result as NDJSON, in request order,
// streamed a page at a time so that a run's results are never all in memory.
#pragma once

#include "api/call.hpp"

namespace asyncscrape::api {

Task<server::Reply> export_results(const Call& call);

}  // namespace asyncscrape::api
