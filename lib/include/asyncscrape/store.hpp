// The seam between the runtime and where collections, runs, jobs and results live. Neither the
// engine nor the API knows which implementation is in use. Every call is awaitable so that an
// implementation may do its work on another thread (SQLite) or another machine and resume the
// caller with the answer; the in-memory store answers at once.
#pragma once

#include <asyncscrape/error.hpp>
#include <asyncscrape/model.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace asyncscrape {

template <class T>
struct Page {
    std::vector<T> items;
    std::int64_t total = 0;  // matching items in all, not only this page
};

struct PageQuery {
    std::int64_t offset = 0;
    std::int64_t limit = 50;
};

template <class T>
using Task = boost::asio::awaitable<T>;

// A write the store could not make (disk full, read-only file, I/O error); the API answers 503.
struct StoreUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A job without an outcome when the store was last closed.
struct UnfinishedJob {
    std::size_t index = 0;
    int attempts = 0;  // attempts begun before, which the job's next life adds to
};

// A run that had not ended when the store was last closed: what a restart needs to resume it.
struct UnfinishedRun {
    Run run;                                // with the counters of the outcomes stored
    RequestList requests;                   // the requests the run started with
    std::vector<UnfinishedJob> unfinished;  // in ascending index order
    bool cancel_requested = false;  // cancelled before the restart: it ends cancelled, not resumed
};

// The notice of a run's end still to be delivered (callback_status pending), with how far its
// delivery got: what a restart needs to go on with it.
struct PendingCallback {
    Run run;                            // ended, with callback_url and callback_status pending
    int attempts = 0;                   // deliveries tried so far
    std::optional<TimePoint> next_try;  // none: at once
};

// The first answer to a POST that carried an Idempotency-Key, replayed to a repeat of it for
// this long; the retention sweep removes older ones.
inline constexpr std::chrono::hours idempotent_reply_lifetime{24};

struct IdempotentReply {
    TenantId tenant;
    std::string key;             // the client's Idempotency-Key
    std::string request_digest;  // what the request was (method, path, body), to tell a reuse
    int status = 0;              // the HTTP status answered
    std::string body;            // the JSON answered
    TimePoint created_at{};
};

class Store {
  public:
    virtual ~Store() = default;

    // Collections. put_collection creates or replaces.
    virtual Task<void> put_collection(Collection collection) = 0;
    virtual Task<std::optional<Collection>> get_collection(std::string id) = 0;
    // The tenant's collections, newest first.
    virtual Task<Page<Collection>> list_collections(TenantId tenant, PageQuery page) = 0;
    // Removes the collection with its runs, jobs and results; false when there was none.
    virtual Task<bool> delete_collection(std::string id) = 0;

    // Runs: created with the requests they started with (a later PUT of the collection does not
    // change them) and one pending job per request, whose id is job_id_of(run_id, index) and
    // whose url and custom_id are the request's. False, and nothing created, when the collection
    // is gone (deleted since it was read).
    virtual Task<bool> create_run(Run run, RequestList requests) = 0;
    virtual Task<void> update_run(Run run) = 0;
    virtual Task<std::optional<Run>> get_run(std::string collection_id, std::string run_id) = 0;
    virtual Task<Page<Run>> list_runs(std::string collection_id, std::optional<RunStatus> filter,
                                      PageQuery page) = 0;  // newest first

    // Jobs, in request order. A job given to update_job or finish_job keeps the id, url and
    // custom_id that create_run gave it; a store may take them from the run instead of the job.
    virtual Task<void> update_job(Job job) = 0;
    // Marks every job of the run that is still pending as cancelled (a run cancelled before
    // those jobs started) and counts them in the run's counters; answers how many there were.
    // A durable store also records that the run is being cancelled (UnfinishedRun).
    virtual Task<std::int64_t> cancel_pending_jobs(std::string run_id, TimePoint at) = 0;
    // A job reached a terminal state: its record and its result, stored together with the
    // outcome counted in the run's counters, so that the stored counters always match the
    // stored outcomes.
    virtual Task<void> finish_job(Job job, JobResult result) = 0;
    virtual Task<std::optional<Job>> get_job(std::string run_id, std::string job_id) = 0;
    virtual Task<Page<Job>> list_jobs(std::string run_id, std::optional<JobStatus> filter,
                                      PageQuery page) = 0;
    virtual Task<std::optional<JobResult>> get_result(std::string run_id, std::string job_id) = 0;
    // Results of finished jobs with index > after_index, in request order, at most `limit`:
    // the cursor the NDJSON export walks so that it never holds a whole run in memory.
    virtual Task<std::vector<JobResult>> results_after(std::string run_id,
                                                       std::optional<JobStatus> filter,
                                                       std::int64_t after_index,
                                                       std::size_t limit) = 0;

    // A job's screenshot (PNG bytes), stored before the job is finished and removed with its run.
    // Kept apart from the result so that listing results never carries images.
    virtual Task<void> put_screenshot(std::string run_id, std::string job_id, std::string png) = 0;
    virtual Task<std::optional<std::string>> get_screenshot(std::string run_id,
                                                            std::string job_id) = 0;

    // Retention: removes every run that has ended (completed or cancelled) with finished_at
    // before `cutoff`, with its jobs, results and screenshots, and answers how many runs went.
    // Runs in progress and collections stay. A durable store removes in small steps, so that the
    // sweep of a big run does not hold up other writes, and gives the space back to the disk.
    // Stops early, with what it has removed, when the awaiting coroutine is cancelled.
    virtual Task<std::int64_t> remove_runs_finished_before(TimePoint cutoff) = 0;

    // Runs still in progress, to resume at start; their jobs that were running count as
    // unfinished. A store that does not outlive the process has none.
    virtual Task<std::vector<UnfinishedRun>> unfinished_runs() = 0;

    // Webhooks. A run's callback_status is written with the run (update_run); these record a
    // delivery's progress apart from it, so that a restart goes on where delivery stopped.
    virtual Task<void> update_callback(std::string run_id, CallbackStatus status, int attempts,
                                       std::optional<TimePoint> next_try) = 0;
    // Ended runs whose callback_status is pending. A store that does not outlive the process
    // has none.
    virtual Task<std::vector<PendingCallback>> pending_callbacks() = 0;

    // Idempotency keys: the first answer to each (tenant, key). put keeps the first one when
    // the key is there already; remove_idempotent_replies_before drops those older than cutoff
    // and answers how many went.
    virtual Task<std::optional<IdempotentReply>> find_idempotent_reply(TenantId tenant,
                                                                       std::string key) = 0;
    virtual Task<void> put_idempotent_reply(IdempotentReply reply) = 0;
    virtual Task<std::int64_t> remove_idempotent_replies_before(TimePoint cutoff) = 0;
};

// Everything in process memory; lost at exit. For tests, embedders and `--store memory`.
std::shared_ptr<Store> make_memory_store();

// The durable store: one SQLite file, <data_dir>/asyncscrape.db, created with data_dir when
// missing and upgraded to the current schema. The data directory is locked for the store's life
// (a second process gets Errc::unavailable). The database is worked on by threads of its own;
// every call resumes on the caller's executor, writes once they are committed. Writes that fail
// throw StoreUnavailable; reads go on. Opening blocks: call it at start, before serving.
Outcome<std::shared_ptr<Store>> open_sqlite_store(boost::asio::any_io_executor executor,
                                                  std::string data_dir);

}  // namespace asyncscrape
