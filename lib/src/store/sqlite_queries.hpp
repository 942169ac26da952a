// The SQL behind each Store operation, run on a database thread with its connection. The
// transaction around them is the worker's; these only read and write rows.
#pragma once

#include "store/sqlite_connection.hpp"

#include <asyncscrape/store.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace asyncscrape {

// A snapshot of requests under the id it is stored as. Written on first use, so that the same
// requests (the same RequestList object) are stored once for a collection and all its runs.
struct RequestSetRef {
    std::int64_t id = 0;
    RequestList requests;
};

struct StoredCollection {
    Collection collection;
    std::int64_t request_set = 0;
};

std::int64_t next_request_set_id(SqliteConnection& db);

void save_collection(SqliteConnection& db, const Collection& collection,
                     const RequestSetRef& requests);
std::optional<StoredCollection> load_collection(SqliteConnection& db, const std::string& id);
// The tenant's collections, newest first.
Page<StoredCollection> load_collections(SqliteConnection& db, const TenantId& tenant,
                                        PageQuery page);
bool remove_collection(SqliteConnection& db, const std::string& id);

// False when the run's collection is gone.
bool save_new_run(SqliteConnection& db, const Run& run, const RequestSetRef& requests);
void save_run(SqliteConnection& db, const Run& run);
std::optional<Run> load_run(SqliteConnection& db, const std::string& collection_id,
                            const std::string& run_id);
Page<Run> load_runs(SqliteConnection& db, const std::string& collection_id,
                    std::optional<RunStatus> filter, PageQuery page);

// False when the run has no job at that index.
bool save_job(SqliteConnection& db, const Job& job);
std::int64_t cancel_pending(SqliteConnection& db, const std::string& run_id, TimePoint at);
void save_outcome(SqliteConnection& db, const Job& job, const JobResult& result);
std::optional<Job> load_job(SqliteConnection& db, const std::string& run_id,
                            const std::string& job_id);
Page<Job> load_jobs(SqliteConnection& db, const std::string& run_id,
                    std::optional<JobStatus> filter, PageQuery page);

std::optional<JobResult> load_result(SqliteConnection& db, const std::string& run_id,
                                     const std::string& job_id);
std::vector<JobResult> load_results_after(SqliteConnection& db, const std::string& run_id,
                                          std::optional<JobStatus> filter, std::int64_t after_index,
                                          std::size_t limit);

void save_screenshot(SqliteConnection& db, const std::string& run_id, const std::string& job_id,
                     const std::string& png);
std::optional<std::string> load_screenshot(SqliteConnection& db, const std::string& run_id,
                                           const std::string& job_id);

std::vector<UnfinishedRun> load_unfinished_runs(SqliteConnection& db);
void save_callback(SqliteConnection& db, const std::string& run_id, CallbackStatus status,
                   int attempts, std::optional<TimePoint> next_try);
std::vector<PendingCallback> load_pending_callbacks(SqliteConnection& db);

std::optional<IdempotentReply> load_idempotent_reply(SqliteConnection& db, const TenantId& tenant,
                                                     const std::string& key);
// Keeps the reply already there for the same (tenant, key).
void save_idempotent_reply(SqliteConnection& db, const IdempotentReply& reply);
std::int64_t remove_idempotent_replies(SqliteConnection& db, TimePoint cutoff);

// At open, before anything runs: a job still `running` was cut short with the process that ran
// it, and is pending again (its attempts stay counted).
void requeue_interrupted_jobs(SqliteConnection& db);

// Retention, in steps that the store spreads over transactions of their own.

// The keys of the runs that ended (completed or cancelled) before `cutoff`, oldest end first.
std::vector<std::int64_t> find_runs_finished_before(SqliteConnection& db, TimePoint cutoff);

enum class RunRemoval {
    partial,       // rows below the run are left: another step is needed
    removed,       // the run is gone, removed by this step
    already_gone,  // no such run (its collection was deleted meanwhile)
};
// Removes up to `max_rows` of the run's screenshots, results and jobs, and the run itself once
// nothing below it is left.
RunRemoval remove_run_step(SqliteConnection& db, std::int64_t run_key, std::int64_t max_rows);

// The request sets that neither a collection nor a run refers to.
std::vector<std::int64_t> find_unused_request_sets(SqliteConnection& db);
// Removes the set with its requests, unless something refers to it again.
void remove_unused_request_set(SqliteConnection& db, std::int64_t set_id);

// Gives up to `max_pages` free pages back to the file system (incremental vacuum); answers how
// many free pages are left.
std::int64_t reclaim_free_pages(SqliteConnection& db, std::int64_t max_pages);

}  // namespace asyncscrape
