// One job from admission to its outcome: the attempts with their retries, then the actions, over
// the fetcher for plain requests and in the browser for browser requests. The caller owns
// scheduling and bookkeeping; this is only what happens to the request.
#pragma once

#include "browser/browser_engine.hpp"
#include "engine/retry_policy.hpp"
#include "fetch/http_client.hpp"

#include <asyncscrape/model.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
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
// response) are not run here: once this returns the job needs no slot, and the caller sleeps
// through them, recording each with record_wait (many jobs may wait at once). Cancellation
// through the awaiting coroutine's cancellation slot ends it promptly with JobStatus::cancelled.
boost::asio::awaitable<JobReport> execute_job(JobContext context, const Request& request,
                                              fetch::SteadyTime deadline);

// Whether `report` is a plain request's success whose actions are still to run.
bool has_wait_actions(const Request& request, const JobReport& report);

// Records in `result` how the wait `action` begun at `started` went: `slept` false when it was
// cancelled, `cut_short` when the request's deadline came before its end. The job's status when
// this wait ends the actions (cancelled, timeout), nullopt when the next one, if any, follows.
std::optional<JobStatus> record_wait(const Request& request, const Action& action,
                                     std::chrono::steady_clock::time_point started, bool slept,
                                     bool cut_short, JobResult& result);

}  // namespace asyncscrape::engine
