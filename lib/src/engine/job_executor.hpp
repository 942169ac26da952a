// One job from admission to its outcome: the attempts with their retries, then the actions, over
// the fetcher for plain requests and in the browser for browser requests. The caller owns
// scheduling and bookkeeping; this is only what happens to the request.
#pragma once

#include "browser/browser_engine.hpp"
#include "engine/retry_policy.hpp"
#include "fetch/http_client.hpp"

#include <asyncscrape/model.hpp>

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <random>
#include <string>

namespace asyncscrape::engine {

// What a job produced. `result` carries url, final_url, status_code, headers, body, error, the
// fetch timings and the action outcomes; the caller adds ids and the queue wait, and stores the
// screenshot, if any, under the job's screenshot endpoint.
struct JobReport {
    JobStatus status = JobStatus::failed;
    int attempts = 0;
    JobResult result;
    std::optional<std::string> screenshot_png;
};

struct JobContext {
    fetch::HttpClient& client;
    browser::BrowserEngine& browser;
    const RetryPolicy& retry;
    std::mt19937_64& random;
};

// Runs `request`'s attempts until their outcome, never past `deadline`: the fetches with their
// retries, or the page load with its actions. A plain request's actions (waits after the
// response) are not run here: once this returns the job needs no slot, and the caller runs them
// with run_wait_actions, from a frame kept small (many jobs may wait at once). Cancellation
// through the awaiting coroutine's cancellation slot ends it promptly with JobStatus::cancelled.
boost::asio::awaitable<JobReport> execute_job(JobContext context, const Request& request,
                                              fetch::SteadyTime deadline);

// Whether `report` is a plain request's success whose actions are still to run.
bool has_wait_actions(const Request& request, const JobReport& report);

// Runs a plain request's wait actions in order, recording each in `result`: the job's status
// after them (success, timeout when a wait would outlast the deadline, cancelled).
boost::asio::awaitable<JobStatus> run_wait_actions(const Request& request,
                                                   fetch::SteadyTime deadline, JobResult& result);

}  // namespace asyncscrape::engine
