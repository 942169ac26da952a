#include "engine/job_executor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>

namespace asyncscrape::engine {
namespace {

namespace asio = boost::asio;
using std::chrono::steady_clock;

Millis time_left(fetch::SteadyTime deadline) {
    return std::max(Millis{0}, std::chrono::duration_cast<Millis>(deadline - steady_clock::now()));
}

// A cancellation that arrived while the coroutine was not waiting on an operation (its resumption
// already queued) reaches no operation: it is only visible here.
asio::awaitable<bool> cancellation_requested() {
    const auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

// Sleeps on a timer; false when the sleep was cancelled.
asio::awaitable<bool> sleep_until(fetch::SteadyTime wake) {
    if (co_await cancellation_requested()) {
        co_return false;
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, wake);
    auto [error] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !error;
}

JobStatus status_of(const fetch::FetchResult& fetched) {
    switch (fetched.error) {
        case fetch::FetchError::none:
            return fetched.status >= 200 && fetched.status < 400 ? JobStatus::success
                                                                 : JobStatus::failed;
        case fetch::FetchError::timeout:
            return JobStatus::timeout;
        case fetch::FetchError::cancelled:
            return JobStatus::cancelled;
        default:
            return JobStatus::failed;
    }
}

std::optional<std::string> error_of(const fetch::FetchResult& fetched, JobStatus status) {
    if (!fetched.ok()) {
        return fetched.error_message;
    }
    if (status == JobStatus::failed) {
        return "HTTP status " + std::to_string(fetched.status);
    }
    return std::nullopt;
}

void take_response(JobResult& result, fetch::FetchResult&& fetched) {
    result.final_url = std::move(fetched.final_url);
    if (fetched.status != 0) {
        result.status_code = fetched.status;
    }
    result.headers = std::move(fetched.headers);
    result.body = std::move(fetched.body);
    result.timings = fetched.timings;
}

void take_page(JobReport& report, browser::PageLoadResult&& page) {
    report.status = page.status;
    JobResult& result = report.result;
    result.error = std::move(page.error);
    result.status_code = page.status_code;
    result.headers = std::move(page.headers);
    result.final_url = std::move(page.final_url);
    result.body = std::move(page.html);
    result.actions = std::move(page.actions);
    result.timings = page.timings;
    report.screenshot_png = std::move(page.screenshot_png);
}

// A browser request: the page load, again in a new browser when the browser went away under it
// (crashed, killed, restarted for hanging), as a connection error is retried for a plain request.
// The actions run inside the load, holding the tab: they act on the page.
asio::awaitable<JobReport> load_in_browser(JobContext context, const Request& request,
                                           fetch::SteadyTime deadline) {
    // Cancellation is data here: every wait reports it through its error code.
    co_await asio::this_coro::throw_if_cancelled(false);
    JobReport report;
    report.result.url = request.url;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int attempt = 1;; ++attempt) {
        report.attempts = attempt;
        browser::PageLoadResult page = co_await context.browser.load(request, deadline);
        const bool lost = page.browser_lost;
        take_page(report, std::move(page));
        const RetryPolicy::Attempt outcome{attempt, lost, std::nullopt};
        const auto delay =
            context.retry.next_delay(outcome, time_left(deadline), unit(context.random));
        if (!delay || co_await cancellation_requested()) {
            break;
        }
        if (!co_await sleep_until(steady_clock::now() + *delay)) {
            break;  // cancelled: the last outcome stands
        }
    }
    co_return report;
}

// A plain request: its fetches, with their retries.
asio::awaitable<JobReport> fetch_with_retries(JobContext context, const Request& request,
                                              fetch::SteadyTime deadline) {
    co_await asio::this_coro::throw_if_cancelled(false);  // as for a browser request
    JobReport report;
    report.result.url = request.url;
    report.result.final_url = request.url;
    fetch::FetchResult fetched;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int attempt = 1;; ++attempt) {
        if (co_await cancellation_requested()) {
            fetched.error = fetch::FetchError::cancelled;
            fetched.error_message = "cancelled";
            break;
        }
        report.attempts = attempt;
        fetch::FetchRequest attempt_request{request.method, request.url, request.headers,
                                            request.body, deadline};
        fetched = co_await context.client.fetch(std::move(attempt_request));
        const RetryPolicy::Attempt outcome{
            attempt,
            fetched.retryable_error() ||
                (fetched.ok() && RetryPolicy::retryable_status(fetched.status)),
            fetched.retry_after};
        const auto delay =
            context.retry.next_delay(outcome, time_left(deadline), unit(context.random));
        if (!delay) {
            break;
        }
        if (!co_await sleep_until(steady_clock::now() + *delay)) {
            fetched.error = fetch::FetchError::cancelled;
            fetched.error_message = "cancelled";
            break;
        }
    }
    report.status = status_of(fetched);
    report.result.error = error_of(fetched, report.status);
    take_response(report.result, std::move(fetched));
    if (report.status != JobStatus::success) {
        browser::mark_actions_not_run(report.result.actions, request,
                                      "the request did not succeed");
    }
    co_return report;
}

}  // namespace

// Not a coroutine: it hands over the coroutine of the request's kind, so that a job has one frame
// here, sized for its kind (one coroutine for both kinds held both kinds' locals: 2.2 KB).
asio::awaitable<JobReport> execute_job(JobContext context, const Request& request,
                                       fetch::SteadyTime deadline) {
    return request.browser ? load_in_browser(context, request, deadline)
                           : fetch_with_retries(context, request, deadline);
}

bool has_wait_actions(const Request& request, const JobReport& report) {
    return !request.browser && report.status == JobStatus::success && !request.actions.empty();
}

std::optional<JobStatus> record_wait(const Request& request, const Action& action,
                                     steady_clock::time_point started, bool slept, bool cut_short,
                                     JobResult& result) {
    ActionOutcome outcome{action.type, ActionStatus::ok,
                          std::chrono::duration_cast<Millis>(steady_clock::now() - started).count(),
                          std::nullopt, std::nullopt};
    if (!slept) {
        outcome.status = ActionStatus::failed;
        outcome.error = "cancelled";
        result.actions.push_back(std::move(outcome));
        browser::mark_actions_not_run(result.actions, request, "the job was cancelled");
        return JobStatus::cancelled;
    }
    if (cut_short) {
        outcome.status = ActionStatus::failed;
        outcome.error = "the request's deadline passed during the wait";
        result.actions.push_back(std::move(outcome));
        browser::mark_actions_not_run(result.actions, request, "the request's deadline passed");
        result.error = "timeout: the deadline of " + std::to_string(request.timeout_ms) +
                       " ms passed during a wait action";
        return JobStatus::timeout;
    }
    result.actions.push_back(std::move(outcome));
    return std::nullopt;
}

}  // namespace asyncscrape::engine
