// One job from admission to its outcome: the attempts with their retries, then the actions, over
// the fetcher for plain requests and in the browser for browser requests. The caller owns
// scheduling and bookkeeping; this is only what happens to the request.
#pragma once

#include "browser/browser_engine.hpp"
#include "engine/retry_policy.hpp"
#include "fetch/http_client.hpp"

#include <asyncscrape/model.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
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
    // Called once the job no longer needs its concurrency slot: after the last attempt, before
    // the wait actions, so that waiting jobs hold neither a connection nor a slot.
    std::function<void()> release_slot;
};

// Runs `request` until its outcome, never past `deadline`. Cancellation through the awaiting
// coroutine's cancellation slot ends it promptly with JobStatus::cancelled.
boost::asio::awaitable<JobReport> execute_job(JobContext context, const Request& request,
                                              fetch::SteadyTime deadline);

}  // namespace asyncscrape::engine
