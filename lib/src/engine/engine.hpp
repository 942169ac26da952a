// Executes runs: one coroutine per run, which queues its jobs with the scheduler and waits for
// them, and one coroutine per admitted job. Jobs are admitted as slots free up (pump), so queued
// jobs hold no coroutine frame and no socket. Browser jobs queue under one pseudo-origin whose
// limit is the browser's tabs: they wait for a tab without taking the slots of plain jobs.
// Outcomes are written to the store, then counted.
#pragma once

#include "browser/browser_engine.hpp"
#include "engine/job_executor.hpp"
#include "engine/retry_policy.hpp"
#include "engine/run_state.hpp"
#include "engine/scheduler.hpp"
#include "engine/wake_queue.hpp"
#include "fetch/http_client.hpp"

#include <asyncscrape/config.hpp>
#include <asyncscrape/store.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>

namespace asyncscrape::engine {

class Engine {
  public:
    // `on_run_ended` hears of every run that ends with a callback_url, once its end is stored.
    Engine(boost::asio::any_io_executor executor, const RuntimeConfig& config, Store& store,
           std::function<void(const Run&)> on_run_ended = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Starts executing a run whose record and pending jobs are already stored.
    std::shared_ptr<RunState> start(Run run, RequestList requests);
    // Goes on with a run found unfinished after a restart: runs its unfinished jobs (the counters
    // already hold the others' outcomes), or ends it cancelled if its cancel had been answered.
    std::shared_ptr<RunState> resume(UnfinishedRun unfinished);

    // The live state of a run in progress, or null once it has ended (the store has it then).
    std::shared_ptr<RunState> find(const std::string& run_id) const;

    // Ends a run early: its queued jobs become cancelled, its jobs in flight are told to stop.
    boost::asio::awaitable<void> cancel(std::shared_ptr<RunState> run);

    // Makes a run unknown to find() at once (its collection was deleted); a cancelled run's
    // coroutine still drains its jobs in the background.
    void forget(const std::string& run_id) { runs_by_id_.erase(run_id); }

    // Stops every run without ending it: no job starts any more, jobs in flight may finish for
    // up to `grace`, then the rest are stopped. Resumes once all run and job coroutines are gone.
    boost::asio::awaitable<void> shutdown(std::chrono::milliseconds grace);

    bool stopping() const { return stopping_; }

    // Jobs of a tenant's runs waiting for a slot (not yet admitted), those of runs still being
    // queued included.
    std::size_t queued_jobs(const TenantId& tenant) const;

  private:
    struct JobDone;
    struct RunDone;

    boost::asio::awaitable<void> execute_run(std::shared_ptr<RunState> run,
                                             std::optional<std::vector<std::size_t>> jobs);
    boost::asio::awaitable<void> queue_jobs(RunState& run,
                                            std::optional<std::vector<std::size_t>> jobs);
    void note_unqueued(const TenantId& tenant, std::size_t jobs);
    void note_queued(const TenantId& tenant, std::size_t jobs);
    // What a job's start stored, kept for its outcome.
    struct JobStart {
        std::string job_id;
        int earlier_attempts = 0;  // made before a restart
        Clock::time_point started_at;
        std::chrono::steady_clock::time_point admitted;
    };
    // A job asleep on its wait actions: what it needs to go on, in waiting_'s slot. Defined here,
    // not in the .cpp: WakeQueue<WaitingJob> below needs it complete.
    struct WaitingJob {
        std::shared_ptr<RunState> run;
        std::size_t index = 0;
        JobStart start;
        fetch::SteadyTime deadline;
        JobReport report;
        std::size_t action = 0;  // the wait in progress, in the request's actions
        std::chrono::steady_clock::time_point wait_started{};

        const Request& request() const { return (*run->requests)[index]; }
        // When the wait in progress would end, the deadline aside.
        std::chrono::steady_clock::time_point wait_end() const {
            return wait_started + std::chrono::milliseconds(request().actions[action].time_ms);
        }
    };
    struct WakeDue;
    // True when the job went to sleep on its wait actions: it goes on in conclude_job.
    boost::asio::awaitable<bool> execute_job(std::shared_ptr<RunState> run, Scheduler::Grant grant);
    boost::asio::awaitable<void> begin_job(RunState& run, std::size_t index, JobStart& start);
    // Fills `report`, given default-constructed: the attempts' outcome, or a failure for an
    // exception they threw.
    boost::asio::awaitable<void> attempt_job(const RunState& run, std::size_t index,
                                             fetch::SteadyTime deadline, JobReport& report);
    // Consumes `start` and `report`.
    boost::asio::awaitable<void> record_outcome(RunState& run, std::size_t index, JobStart& start,
                                                JobReport& report);
    void release_slot(const Scheduler::Grant& grant);
    // A waiting job is an entry of waiting_, not a coroutine (see wake_queue.hpp): these sleep it
    // on its next wait action, end a wait (`slept` false: cancelled) and wake those due.
    void begin_wait(WaitingJob&& job);
    void end_wait(WaitingJob&& job, bool slept);
    void wake_due_jobs();
    void arm_wake_timer();
    // Ends the waits of `run`'s jobs at once, cancelled; how many there were.
    std::size_t end_waits(const RunState& run);
    // Stores the outcome of a job that waited, in a coroutine of its own.
    void conclude(WaitingJob&& job);
    boost::asio::awaitable<void> conclude_job(WaitingJob job);
    void launch_run(const std::shared_ptr<RunState>& run,
                    std::optional<std::vector<std::size_t>> jobs);
    boost::asio::awaitable<void> cancel_pending_jobs(RunState& run);
    boost::asio::awaitable<void> finish_run(RunState& run);
    void pump();
    void launch(const Scheduler::Grant& grant);

    boost::asio::any_io_executor executor_;
    Store& store_;
    std::function<void(const Run&)> on_run_ended_;
    fetch::HttpClient client_;
    browser::BrowserEngine browser_;
    Scheduler scheduler_;
    RetryPolicy retry_;
    std::mt19937_64 random_;

    RunKey next_key_ = 1;
    std::unordered_map<RunKey, std::shared_ptr<RunState>> runs_by_key_;
    std::unordered_map<std::string, std::shared_ptr<RunState>> runs_by_id_;
    // Jobs of started runs not yet handed to the scheduler, by tenant (see queue_jobs).
    std::unordered_map<TenantId, std::size_t> unqueued_;
    WakeQueue<WaitingJob> waiting_;
    boost::asio::steady_timer wake_timer_;  // set to waiting_'s earliest wake, if armed
    std::optional<std::chrono::steady_clock::time_point> wake_armed_;
    std::size_t run_coroutines_ = 0;
    bool stopping_ = false;
    boost::asio::steady_timer runs_gone_;  // notified when the last run coroutine ends
};

}  // namespace asyncscrape::engine
