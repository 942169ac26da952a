#include "engine/engine.hpp"

#include "engine/job_executor.hpp"
#include "model/url.hpp"
#include "util/log.hpp"
#include "util/time_slice.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <utility>

namespace asyncscrape::engine {

namespace asio = boost::asio;
using std::chrono::steady_clock;

namespace {

// Where browser jobs queue: not a URL origin, so no target's jobs share its limit.
const std::string browser_origin = "browser";

std::string scheduling_origin(const Request& request) {
    return request.browser ? browser_origin : origin_of(request.url);
}

browser::BrowserEngineOptions browser_options(const RuntimeConfig& config) {
    browser::BrowserEngineOptions options;
    options.executable = config.chromium_path;
    options.max_tabs = config.browser_tabs;
    options.allow_private_targets = config.allow_private_targets;
    return options;
}

// A job's record as far as its run and request say: what its start and its outcome both store.
Job job_record(const RunState& run, std::size_t index, std::string job_id) {
    const Request& request = (*run.requests)[index];
    Job job;
    job.job_id = std::move(job_id);
    job.run_id = run.run.run_id;
    job.index = static_cast<std::int64_t>(index);
    job.url = request.url;
    job.custom_id = request.custom_id;
    return job;
}

double millis_between(steady_clock::time_point from, steady_clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace

// Completion of a job's coroutines: frees the job's place in the run and wakes the run's
// coroutine once the job is over.
struct Engine::JobDone {
    Engine* engine;
    std::shared_ptr<RunState> run;
    std::size_t index;

    // execute_job's end. The job's cancellation signal, which holds the coroutine's cancellation
    // handler, goes with it; a job that went to sleep on its wait actions is not over.
    void operator()(std::exception_ptr error, bool asleep) const {
        run->job_signals.erase(index);
        if (error || !asleep) {
            job_over(error);
        }
    }

    // conclude_job's end: the outcome of a job that waited is stored.
    void operator()(std::exception_ptr error) const { job_over(error); }

    void job_over(const std::exception_ptr& error) const {
        if (error) {
            log(LogLevel::error, "job ", index, " of run ", run->run.run_id,
                " ended with an exception: ", describe(error));
        }
        --run->jobs_in_flight;
        run->notify_change();
    }
};

// Completion of a run coroutine: lets shutdown() know when the last one is gone.
struct Engine::RunDone {
    Engine* engine;
    std::string run_id;

    void operator()(std::exception_ptr error) const {
        if (error) {
            log(LogLevel::error, "run ", run_id, " ended with an exception: ", describe(error));
        }
        --engine->run_coroutines_;
        engine->runs_gone_.cancel();
    }
};

Engine::Engine(asio::any_io_executor executor, const RuntimeConfig& config, Store& store,
               std::function<void(const Run&)> on_run_ended)
    : executor_(executor),
      store_(store),
      on_run_ended_(std::move(on_run_ended)),
      client_(executor, config),
      browser_(executor, browser_options(config)),
      scheduler_({config.max_concurrency,
                  config.per_host,
                  config.tenant_concurrency,
                  {{browser_origin, config.browser_tabs}}}),
      retry_{config.retries, config.retry_base_delay, config.retry_max_delay},
      random_(std::random_device{}()),
      wake_timer_(executor),
      runs_gone_(executor, asio::steady_timer::time_point::max()) {}

Engine::~Engine() = default;

std::shared_ptr<RunState> Engine::start(Run run, RequestList requests) {
    auto state =
        std::make_shared<RunState>(executor_, next_key_++, std::move(run), std::move(requests));
    launch_run(state, std::nullopt);
    return state;
}

std::shared_ptr<RunState> Engine::resume(UnfinishedRun unfinished) {
    auto state = std::make_shared<RunState>(executor_, next_key_++, std::move(unfinished.run),
                                            std::move(unfinished.requests));
    state->cancel_requested = unfinished.cancel_requested;
    std::vector<std::size_t> jobs;
    jobs.reserve(unfinished.unfinished.size());
    for (const UnfinishedJob& job : unfinished.unfinished) {
        jobs.push_back(job.index);
        if (job.attempts > 0) {
            state->earlier_attempts.emplace(job.index, job.attempts);
        }
    }
    launch_run(state, std::move(jobs));
    return state;
}

void Engine::launch_run(const std::shared_ptr<RunState>& run,
                        std::optional<std::vector<std::size_t>> jobs) {
    runs_by_key_.emplace(run->key, run);
    runs_by_id_.emplace(run->run.run_id, run);
    // Counted before start() returns, so that the next run's start sees them (tenant_queue).
    if (!run->cancel_requested) {
        run->unqueued = jobs ? jobs->size() : run->requests->size();
        note_unqueued(run->run.tenant, run->unqueued);
    }
    ++run_coroutines_;
    asio::co_spawn(executor_, execute_run(run, std::move(jobs)), RunDone{this, run->run.run_id});
}

std::shared_ptr<RunState> Engine::find(const std::string& run_id) const {
    const auto found = runs_by_id_.find(run_id);
    return found == runs_by_id_.end() ? nullptr : found->second;
}

std::size_t Engine::queued_jobs(const TenantId& tenant) const {
    const auto unqueued = unqueued_.find(tenant);
    return scheduler_.queued(tenant) + (unqueued == unqueued_.end() ? 0 : unqueued->second);
}

void Engine::note_unqueued(const TenantId& tenant, std::size_t jobs) {
    if (jobs > 0) {
        unqueued_[tenant] += jobs;
    }
}

void Engine::note_queued(const TenantId& tenant, std::size_t jobs) {
    const auto entry = unqueued_.find(tenant);
    if (jobs > 0 && (entry->second -= jobs) == 0) {
        unqueued_.erase(entry);
    }
}

asio::awaitable<void> Engine::execute_run(std::shared_ptr<RunState> run,
                                          std::optional<std::vector<std::size_t>> jobs) {
    if (run->cancel_requested) {
        // Resumed after a restart that came between the run's cancel and its end: what it had
        // not finished ends cancelled, and nothing runs.
        co_await cancel_pending_jobs(*run);
    } else {
        co_await queue_jobs(*run, std::move(jobs));
    }
    // Left unqueued by a cancel or a shutdown: pending in the store, no longer waiting here.
    note_queued(run->run.tenant, std::exchange(run->unqueued, 0));
    pump();

    while (run->jobs_in_flight > 0 || scheduler_.queued(run->key) > 0) {
        co_await run->wait_for_change();
    }
    if (!run->stopping) {
        co_await finish_run(*run);
    }
    runs_by_id_.erase(run->run.run_id);
    runs_by_key_.erase(run->key);
}

// Hands the run's jobs (all, or those given) to the scheduler in time slices, starting what may
// start after each: queueing a 20,000-job run (an origin and a queue entry per job) would hold the
// thread for milliseconds. A cancel or a shutdown meanwhile leaves the rest unqueued, pending in
// the store: cancel() counts them, and a durable store's next start runs them.
asio::awaitable<void> Engine::queue_jobs(RunState& run,
                                         std::optional<std::vector<std::size_t>> jobs) {
    const std::size_t total = jobs ? jobs->size() : run.requests->size();
    std::vector<std::size_t> part;
    std::vector<std::string> origins;
    TimeSlice slice;
    std::size_t next = 0;
    while (next < total && !run.cancel_requested && !run.stopping) {
        part.clear();
        origins.clear();
        do {
            const std::size_t index = jobs ? (*jobs)[next] : next;
            part.push_back(index);
            origins.push_back(scheduling_origin((*run.requests)[index]));
            ++next;
        } while (next < total && !slice.used_up());
        scheduler_.add_jobs(run.key, run.run.tenant, part, origins);
        run.unqueued -= part.size();
        note_queued(run.run.tenant, part.size());
        pump();
        if (next < total) {
            co_await slice.yield();
        }
    }
}

asio::awaitable<void> Engine::finish_run(RunState& run) {
    run.run.status = run.cancel_requested ? RunStatus::cancelled : RunStatus::completed;
    run.run.finished_at = Clock::now();
    co_await store_.update_run(run.run);
    run.notify_change();
    // A run forgotten with its deleted collection has no one left to tell.
    if (run.run.callback_url && on_run_ended_ && runs_by_id_.contains(run.run.run_id)) {
        on_run_ended_(run.run);
    }
    log(LogLevel::info, "run ", run.run.run_id, " ", to_string(run.run.status), ": ",
        run.run.success_requests, " success, ", run.run.failed_requests, " failed, ",
        run.run.timeout_requests, " timeout, ", run.run.cancelled_requests, " cancelled");
}

void Engine::pump() {
    if (stopping_) {
        return;
    }
    while (auto grant = scheduler_.next()) {
        launch(*grant);
    }
}

void Engine::launch(const Scheduler::Grant& grant) {
    const auto& run = runs_by_key_.at(grant.run);
    ++run->jobs_in_flight;
    auto& signal = run->job_signals[grant.job];
    asio::co_spawn(executor_, execute_job(run, grant),
                   asio::bind_cancellation_slot(signal.slot(), JobDone{this, run, grant.job}));
}

// The wake timer's handler. An aborted wait means nothing: the timer was set again, or the engine
// is going away (so it must not be touched).
struct Engine::WakeDue {
    Engine* engine;

    void operator()(boost::system::error_code error) const {
        if (!error) {
            engine->wake_armed_.reset();
            engine->wake_due_jobs();
        }
    }
};

namespace {

// A job cancelled by a shutdown stores no outcome: it runs again at the next start.
bool interrupted_by_shutdown(const RunState& run, const JobReport& report) {
    return report.status == JobStatus::cancelled && run.stopping && !run.cancel_requested;
}

}  // namespace

// A job in phases, each its own coroutine: the fetch's frames are gone before the job waits, and
// a waiting job is no coroutine at all (begin_wait).
asio::awaitable<bool> Engine::execute_job(std::shared_ptr<RunState> run, Scheduler::Grant grant) {
    // A cancelled job still records its outcome: the store's operations awaited here after the
    // cancellation must run, not throw.
    co_await asio::this_coro::throw_if_cancelled(false);
    // Cancelled or paused between admission and this first step: the store's record is still
    // pending, and cancel() or the next start accounts for it.
    if (run->cancel_requested || run->stopping) {
        release_slot(grant);
        co_return false;
    }
    const Request& request = (*run->requests)[grant.job];
    JobStart start;
    co_await begin_job(*run, grant.job, start);
    const auto deadline = start.admitted + std::chrono::milliseconds(request.timeout_ms);
    // Results come back through references: a value taken from or given to a co_await leaves a
    // temporary of its size in this frame for as long as the job lives.
    JobReport report;
    co_await attempt_job(*run, grant.job, deadline, report);
    release_slot(grant);  // the waits hold neither a slot nor a connection
    if (has_wait_actions(request, report)) {
        // A cancellation that came once the attempts were over reached no operation: it is seen
        // here, and the job does not go to sleep.
        const auto cancellation = co_await asio::this_coro::cancellation_state;
        if (cancellation.cancelled() == asio::cancellation_type::none) {
            begin_wait(WaitingJob{run, grant.job, std::move(start), deadline, std::move(report)});
            co_return true;
        }
        report.status = *record_wait(request, request.actions.front(), steady_clock::now(), false,
                                     false, report.result);
    }
    if (!interrupted_by_shutdown(*run, report)) {
        co_await record_outcome(*run, grant.job, start, report);
    }
    co_return false;
}

void Engine::begin_wait(WaitingJob&& job) {
    job.wait_started = steady_clock::now();
    const auto wake = std::min(job.wait_end(), job.deadline);
    waiting_.push(wake, std::move(job));
    arm_wake_timer();
}

void Engine::end_wait(WaitingJob&& job, bool slept) {
    const Request& request = job.request();
    const Action& action = request.actions[job.action];
    const bool cut_short = job.wait_end() > job.deadline;
    if (const auto end =
            record_wait(request, action, job.wait_started, slept, cut_short, job.report.result)) {
        job.report.status = *end;
    } else if (++job.action < request.actions.size()) {
        begin_wait(std::move(job));
        return;
    }
    conclude(std::move(job));
}

void Engine::wake_due_jobs() {
    const auto now = steady_clock::now();
    while (auto job = waiting_.take_due(now)) {
        end_wait(std::move(*job), true);
    }
    arm_wake_timer();
}

void Engine::arm_wake_timer() {
    if (waiting_.empty()) {
        if (wake_armed_) {
            wake_timer_.cancel();  // nothing to wake: the io_context may run out of work
            wake_armed_.reset();
        }
        return;
    }
    // Wakes are batched by the millisecond: a wait ends at its time or within the millisecond
    // after it, and the timer is set at most once a millisecond. Set for each next wake, it was
    // set every 250 us in a run of 100,000 waiting jobs, two timerfd_settime calls each time.
    const steady_clock::time_point next =
        std::chrono::ceil<std::chrono::milliseconds>(waiting_.next_wake());
    if (wake_armed_ && *wake_armed_ <= next) {
        return;
    }
    wake_armed_ = next;
    wake_timer_.expires_at(next);
    wake_timer_.async_wait(WakeDue{this});
}

std::size_t Engine::end_waits(const RunState& run) {
    std::size_t ended = 0;
    waiting_.take_if([&](const WaitingJob& job) { return job.run.get() == &run; },
                     [&](WaitingJob&& job) {
                         end_wait(std::move(job), false);
                         ++ended;
                     });
    arm_wake_timer();
    return ended;
}

// Not bound to the job's cancellation signal, which goes with execute_job's coroutine (JobDone): a
// cancellation reaches a waiting job through end_waits, and storing its outcome is not stopped.
void Engine::conclude(WaitingJob&& job) {
    JobDone done{this, job.run, job.index};
    asio::co_spawn(executor_, conclude_job(std::move(job)), std::move(done));
}

asio::awaitable<void> Engine::conclude_job(WaitingJob job) {
    co_await asio::this_coro::throw_if_cancelled(false);  // as in execute_job
    if (!interrupted_by_shutdown(*job.run, job.report)) {
        co_await record_outcome(*job.run, job.index, job.start, job.report);
    }
}

void Engine::release_slot(const Scheduler::Grant& grant) {
    scheduler_.release(grant);
    pump();
}

// The job's record, running, with the attempt it begins: stored before the attempt, so that a
// restart knows it was made.
asio::awaitable<void> Engine::begin_job(RunState& run, std::size_t index, JobStart& start) {
    const auto earlier = run.earlier_attempts.find(index);
    start.admitted = steady_clock::now();
    start.earlier_attempts = earlier == run.earlier_attempts.end() ? 0 : earlier->second;
    start.started_at = Clock::now();
    start.job_id = job_id_of(run.run.run_id, static_cast<std::int64_t>(index));
    Job job = job_record(run, index, start.job_id);
    job.status = JobStatus::running;
    job.attempts = start.earlier_attempts + 1;
    job.started_at = start.started_at;
    co_await store_.update_job(std::move(job));
}

asio::awaitable<void> Engine::attempt_job(const RunState& run, std::size_t index,
                                          fetch::SteadyTime deadline, JobReport& report) {
    const Request& request = (*run.requests)[index];
    try {
        // Named, not a braced temporary inside the co_await: GCC 12 miscompiles the latter.
        JobContext context{client_, browser_, retry_, random_};
        report = co_await engine::execute_job(context, request, deadline);
    } catch (const std::exception& e) {
        log(LogLevel::error, "job ", index, " of run ", run.run.run_id, " failed: ", e.what());
        report.status = JobStatus::failed;
        report.result.url = request.url;
        report.result.error = std::string("internal error: ") + e.what();
    }
}

// The outcome is written to the store, which counts it with the job; the live counters follow
// once it is stored, so what a client saw is never lost.
asio::awaitable<void> Engine::record_outcome(RunState& run, std::size_t index, JobStart& start,
                                             JobReport& report) {
    const auto finished = steady_clock::now();
    Job job = job_record(run, index, std::move(start.job_id));
    job.status = report.status;
    job.status_code = report.result.status_code;
    job.attempts = start.earlier_attempts + report.attempts;
    job.error = report.result.error;
    job.started_at = start.started_at;
    job.finished_at = Clock::now();
    job.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(finished - start.admitted).count();

    JobResult& result = report.result;
    if (report.screenshot_png) {
        co_await store_.put_screenshot(run.run.run_id, job.job_id,
                                       std::move(*report.screenshot_png));
        result.screenshot = "/v1/async/collections/" + run.run.collection_id + "/runs/" +
                            run.run.run_id + "/jobs/" + job.job_id + "/screenshot";
    }
    result.job_id = job.job_id;
    result.index = job.index;
    result.status = job.status;
    result.custom_id = job.custom_id;
    result.timings.queue_wait_ms = millis_between(run.queued_since, start.admitted);
    result.timings.total_ms = millis_between(start.admitted, finished);

    co_await store_.finish_job(std::move(job), std::move(result));
    run.run.count(report.status);
    run.notify_change();
}

asio::awaitable<void> Engine::cancel(std::shared_ptr<RunState> run) {
    if (run->run.ended() || run->cancel_requested) {
        co_return;
    }
    run->cancel_requested = true;
    const auto dropped = scheduler_.drop_run(run->key);
    const std::size_t told = run->job_signals.size();
    run->cancel_jobs_in_flight();
    const std::size_t woken = end_waits(*run);
    co_await cancel_pending_jobs(*run);
    log(LogLevel::info, "run ", run->run.run_id, " cancelled: ", dropped.size(),
        " queued jobs dropped, ", told, " in flight told to stop, ", woken, " waits ended");
}

asio::awaitable<void> Engine::cancel_pending_jobs(RunState& run) {
    // Jobs admitted but not yet started are still pending in the store: they are counted here.
    const std::int64_t cancelled =
        co_await store_.cancel_pending_jobs(run.run.run_id, Clock::now());
    run.run.cancelled_requests += cancelled;
    run.notify_change();
}

asio::awaitable<void> Engine::shutdown(std::chrono::milliseconds grace) {
    stopping_ = true;
    std::size_t in_flight = 0;
    for (auto& [key, run] : runs_by_key_) {
        run->stopping = true;
        scheduler_.drop_run(key);  // still pending in the store: they run at the next start
        in_flight += run->jobs_in_flight;
        run->notify_change();
    }
    if (in_flight > 0 && grace.count() > 0) {
        log(LogLevel::info, "waiting up to ", grace.count(), " ms for ", in_flight,
            " jobs in flight");
    }
    // Each run coroutine ends once its jobs in flight have; RunDone wakes this wait early.
    const auto grace_ends = steady_clock::now() + grace;
    while (run_coroutines_ > 0 && steady_clock::now() < grace_ends) {
        runs_gone_.expires_at(grace_ends);
        co_await runs_gone_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    for (auto& [key, run] : runs_by_key_) {
        run->cancel_jobs_in_flight();
        end_waits(*run);
    }
    while (run_coroutines_ > 0) {
        runs_gone_.expires_at(asio::steady_timer::time_point::max());
        co_await runs_gone_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    client_.shutdown();
    co_await browser_.shutdown();
}

}  // namespace asyncscrape::engine
