// .../runs/{run_id}/jobs[/{job_id}[/result|/screenshot]].
#pragma once

#include "api/call.hpp"

namespace asyncscrape::api {

Task<server::Reply> list_jobs(const Call& call);
Task<server::Reply> get_job(const Call& call);
Task<server::Reply> get_result(const Call& call);
Task<server::Reply> get_screenshot(const Call& call);

}  // namespace asyncscrape::api
