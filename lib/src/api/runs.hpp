// /v1/async/collections/{collection_id}/run and .../runs[/{run_id}[/cancel]].
#pragma once

#include "api/call.hpp"

namespace asyncscrape::api {

Task<server::Reply> start_run(const Call& call);
Task<server::Reply> list_runs(const Call& call);
Task<server::Reply> get_run(const Call& call);
Task<server::Reply> cancel_run(const Call& call);

}  // namespace asyncscrape::api
