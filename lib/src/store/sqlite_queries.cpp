#include "store/sqlite_queries.hpp"

#include "store/stored_values.hpp"

#include <array>
#include <memory>
#include <utility>

namespace asyncscrape {
namespace {

// The integer key of a run, found by its id inside each statement.
constexpr std::string_view run_key = "(SELECT seq FROM runs WHERE id = :run_id)";

std::optional<std::string_view> filter_text(const auto& filter) {
    return filter ? std::optional(to_string(*filter)) : std::nullopt;
}

void ensure_request_set(SqliteConnection& db, const std::string& collection_id,
                        const RequestSetRef& set) {
    auto& exists = db.prepare("SELECT 1 FROM request_sets WHERE id = ?1");
    exists.bind(1, set.id);
    if (exists.step()) {
        exists.reset();
        return;
    }
    db.prepare("INSERT INTO request_sets (id, collection_id) VALUES (?1, ?2)")
        .bind(1, set.id)
        .bind(2, collection_id)
        .run();
    if (!set.requests) {
        return;
    }
    auto& insert =
        db.prepare("INSERT INTO requests (request_set, idx, request) VALUES (?1, ?2, ?3)");
    std::int64_t index = 0;
    for (const auto& request : *set.requests) {
        insert.bind(1, set.id).bind(2, index++).bind(3, encode_request(request)).run();
    }
}

RequestList load_requests(SqliteConnection& db, std::int64_t set_id) {
    auto requests = std::make_shared<std::vector<Request>>();
    auto& select = db.prepare("SELECT request FROM requests WHERE request_set = ?1 ORDER BY idx");
    select.bind(1, set_id);
    while (select.step()) {
        requests->push_back(decode_request(select.text(0)));
    }
    return requests;
}

constexpr std::string_view collection_columns =
    "id, name, callback_url, request_set, created_at, updated_at, tenant";

StoredCollection read_collection(const SqliteStatement& row) {
    StoredCollection stored;
    auto& collection = stored.collection;
    collection.id = row.text(0);
    collection.name = row.text(1);
    collection.callback_url = row.optional_text(2);
    stored.request_set = row.integer(3);
    collection.created_at = from_nanoseconds(row.integer(4));
    collection.updated_at = from_nanoseconds(row.integer(5));
    collection.tenant = row.text(6);
    return stored;
}

constexpr std::string_view run_columns =
    "id, collection_id, status, total, success, failed, timeout, cancelled, created_at, "
    "finished_at, tenant, callback_url, callback_status";
constexpr int run_column_count = 13;

Run read_run(const SqliteStatement& row) {
    Run run;
    run.run_id = row.text(0);
    run.collection_id = row.text(1);
    run.status = decode_run_status(row.text(2));
    run.total_requests = row.integer(3);
    run.success_requests = row.integer(4);
    run.failed_requests = row.integer(5);
    run.timeout_requests = row.integer(6);
    run.cancelled_requests = row.integer(7);
    run.created_at = from_nanoseconds(row.integer(8));
    run.finished_at = from_nanoseconds(row.optional_integer(9));
    run.tenant = row.text(10);
    run.callback_url = row.optional_text(11);
    if (const auto status = row.optional_text(12)) {
        run.callback_status = decode_callback_status(*status);
    }
    return run;
}

constexpr std::string_view job_columns =
    "id, idx, url, custom_id, status, status_code, attempts, error, started_at, finished_at, "
    "duration_ms";

Job read_job(const SqliteStatement& row, const std::string& run_id) {
    Job job;
    job.job_id = row.text(0);
    job.run_id = run_id;
    job.index = row.integer(1);
    job.url = row.text(2);
    job.custom_id = row.optional_text(3);
    job.status = decode_job_status(row.text(4));
    if (const auto code = row.optional_integer(5)) {
        job.status_code = static_cast<int>(*code);
    }
    job.attempts = static_cast<int>(row.integer(6));
    job.error = row.optional_text(7);
    job.started_at = from_nanoseconds(row.optional_integer(8));
    job.finished_at = from_nanoseconds(row.optional_integer(9));
    job.duration_ms = row.optional_integer(10);
    return job;
}

// Binds the job's fields to :id ... :duration_ms.
void bind_job(SqliteStatement& statement, const Job& job) {
    const auto code =
        job.status_code ? std::optional<std::int64_t>(*job.status_code) : std::nullopt;
    statement.bind(1, job.job_id)
        .bind(2, job.index)
        .bind(3, job.url)
        .bind(4, job.custom_id)
        .bind(5, to_string(job.status))
        .bind(6, code)
        .bind(7, static_cast<std::int64_t>(job.attempts))
        .bind(8, job.error)
        .bind(9, to_nanoseconds(job.started_at))
        .bind(10, to_nanoseconds(job.finished_at))
        .bind(11, job.duration_ms)
        .bind(12, job.run_id);
}

constexpr std::string_view result_columns =
    "j.id, r.idx, r.status, r.url, r.final_url, r.status_code, r.headers, r.body, r.error, "
    "r.timings, r.actions, r.screenshot, r.custom_id";

JobResult read_result(const SqliteStatement& row) {
    JobResult result;
    result.job_id = row.text(0);
    result.index = row.integer(1);
    result.status = decode_job_status(row.text(2));
    result.url = row.text(3);
    result.final_url = row.text(4);
    if (const auto code = row.optional_integer(5)) {
        result.status_code = static_cast<int>(*code);
    }
    result.headers = decode_headers(row.text(6));
    result.body = row.text(7);
    result.error = row.optional_text(8);
    result.timings = decode_timings(row.text(9));
    result.actions = decode_action_outcomes(row.text(10));
    result.screenshot = row.optional_text(11);
    result.custom_id = row.optional_text(12);
    return result;
}

std::string sql(std::initializer_list<std::string_view> parts) {
    std::string text;
    for (const auto part : parts) {
        text += part;
    }
    return text;
}

// Adds a terminal status to its counter in the run's row, in the transaction that stores it.
void count_outcome(SqliteConnection& db, const std::string& run_id, JobStatus status) {
    std::string_view counter;
    switch (status) {
        case JobStatus::success:
            counter = "success";
            break;
        case JobStatus::failed:
            counter = "failed";
            break;
        case JobStatus::timeout:
            counter = "timeout";
            break;
        case JobStatus::cancelled:
            counter = "cancelled";
            break;
        case JobStatus::pending:
        case JobStatus::running:
            return;
    }
    db.prepare(sql({"UPDATE runs SET ", counter, " = ", counter, " + 1 WHERE id = ?1"}))
        .bind(1, run_id)
        .run();
}

// Runs a page query (bound from 1, its offset and limit bound next) and the count that goes with
// it, reading each row with `read`.
template <class T, class Read>
Page<T> read_page(SqliteStatement& items, SqliteStatement& count, Read read) {
    Page<T> page;
    while (items.step()) {
        page.items.push_back(read(items));
    }
    if (count.step()) {
        page.total = count.integer(0);
    }
    count.reset();
    return page;
}

}  // namespace

std::int64_t next_request_set_id(SqliteConnection& db) {
    return db.query_integer("SELECT coalesce(max(id), 0) + 1 FROM request_sets");
}

void save_collection(SqliteConnection& db, const Collection& collection,
                     const RequestSetRef& requests) {
    // An upsert keeps the row, and so the collection's place in the newest-first list.
    db.prepare(
          "INSERT INTO collections (id, name, callback_url, request_set, created_at, updated_at, "
          "tenant) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
          "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
          "callback_url = excluded.callback_url, request_set = excluded.request_set, "
          "created_at = excluded.created_at, updated_at = excluded.updated_at")
        .bind(1, collection.id)
        .bind(2, collection.name)
        .bind(3, collection.callback_url)
        .bind(4, requests.id)
        .bind(5, to_nanoseconds(collection.created_at))
        .bind(6, to_nanoseconds(collection.updated_at))
        .bind(7, collection.tenant)
        .run();
    ensure_request_set(db, collection.id, requests);
    // Earlier versions of the requests stay only while a run refers to them.
    db.prepare(
          "DELETE FROM request_sets WHERE collection_id = ?1 AND id <> ?2 "
          "AND id NOT IN (SELECT request_set FROM runs WHERE collection_id = ?1)")
        .bind(1, collection.id)
        .bind(2, requests.id)
        .run();
}

std::optional<StoredCollection> load_collection(SqliteConnection& db, const std::string& id) {
    auto& row = db.prepare(sql({"SELECT ", collection_columns, " FROM collections WHERE id = ?1"}));
    row.bind(1, id);
    if (!row.step()) {
        return std::nullopt;
    }
    auto stored = read_collection(row);
    row.reset();
    stored.collection.requests = load_requests(db, stored.request_set);
    return stored;
}

Page<StoredCollection> load_collections(SqliteConnection& db, const TenantId& tenant,
                                        PageQuery page) {
    auto& items = db.prepare(sql({"SELECT ", collection_columns,
                                  " FROM collections WHERE tenant = ?3 ORDER BY seq DESC "
                                  "LIMIT ?2 OFFSET ?1"}));
    items.bind(1, page.offset).bind(2, page.limit).bind(3, tenant);
    auto& count = db.prepare("SELECT count(*) FROM collections WHERE tenant = ?1");
    count.bind(1, tenant);
    auto result = read_page<StoredCollection>(items, count, read_collection);
    for (auto& stored : result.items) {
        stored.collection.requests = load_requests(db, stored.request_set);
    }
    return result;
}

bool remove_collection(SqliteConnection& db, const std::string& id) {
    // Runs, jobs, results, screenshots and requests follow through ON DELETE CASCADE.
    db.prepare("DELETE FROM collections WHERE id = ?1").bind(1, id).run();
    return db.changes() > 0;
}

bool save_new_run(SqliteConnection& db, const Run& run, const RequestSetRef& requests) {
    auto& collection = db.prepare("SELECT 1 FROM collections WHERE id = ?1");
    collection.bind(1, run.collection_id);
    if (!collection.step()) {
        return false;
    }
    collection.reset();
    ensure_request_set(db, run.collection_id, requests);
    db.prepare(
          "INSERT INTO runs (id, collection_id, request_set, status, total, success, failed, "
          "timeout, cancelled, created_at, finished_at, tenant, callback_url, callback_status) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")
        .bind(1, run.run_id)
        .bind(2, run.collection_id)
        .bind(3, requests.id)
        .bind(4, to_string(run.status))
        .bind(5, run.total_requests)
        .bind(6, run.success_requests)
        .bind(7, run.failed_requests)
        .bind(8, run.timeout_requests)
        .bind(9, run.cancelled_requests)
        .bind(10, to_nanoseconds(run.created_at))
        .bind(11, to_nanoseconds(run.finished_at))
        .bind(12, run.tenant)
        .bind(13, run.callback_url)
        .bind(14, filter_text(run.callback_status))
        .run();
    const std::int64_t seq = sqlite3_last_insert_rowid(db.handle());
    auto& insert = db.prepare(
        "INSERT INTO jobs (id, idx, url, custom_id, status, status_code, attempts, error, "
        "started_at, finished_at, duration_ms, run) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    Job job;
    job.run_id = run.run_id;
    const std::size_t size = requests.requests ? requests.requests->size() : 0;
    for (std::size_t i = 0; i < size; ++i) {
        const Request& request = (*requests.requests)[i];
        job.index = static_cast<std::int64_t>(i);
        job.job_id = job_id_of(run.run_id, job.index);
        job.url = request.url;
        job.custom_id = request.custom_id;
        bind_job(insert, job);
        insert.bind(12, seq).run();
    }
    return true;
}

void save_run(SqliteConnection& db, const Run& run) {
    db.prepare(
          "UPDATE runs SET status = ?2, total = ?3, success = ?4, failed = ?5, timeout = ?6, "
          "cancelled = ?7, created_at = ?8, finished_at = ?9, callback_status = ?10 "
          "WHERE id = ?1")
        .bind(1, run.run_id)
        .bind(2, to_string(run.status))
        .bind(3, run.total_requests)
        .bind(4, run.success_requests)
        .bind(5, run.failed_requests)
        .bind(6, run.timeout_requests)
        .bind(7, run.cancelled_requests)
        .bind(8, to_nanoseconds(run.created_at))
        .bind(9, to_nanoseconds(run.finished_at))
        .bind(10, filter_text(run.callback_status))
        .run();
}

std::optional<Run> load_run(SqliteConnection& db, const std::string& collection_id,
                            const std::string& run_id) {
    auto& row = db.prepare(
        sql({"SELECT ", run_columns, " FROM runs WHERE id = ?1 AND collection_id = ?2"}));
    row.bind(1, run_id).bind(2, collection_id);
    if (!row.step()) {
        return std::nullopt;
    }
    Run run = read_run(row);
    row.reset();
    return run;
}

Page<Run> load_runs(SqliteConnection& db, const std::string& collection_id,
                    std::optional<RunStatus> filter, PageQuery page) {
    constexpr std::string_view matching =
        " FROM runs WHERE collection_id = ?3 AND (?4 IS NULL OR status = ?4)";
    auto& items = db.prepare(
        sql({"SELECT ", run_columns, matching, " ORDER BY seq DESC LIMIT ?2 OFFSET ?1"}));
    items.bind(1, page.offset).bind(2, page.limit).bind(3, collection_id);
    items.bind(4, filter_text(filter));
    auto& count = db.prepare(sql({"SELECT count(*)", matching}));
    count.bind(3, collection_id).bind(4, filter_text(filter));
    return read_page<Run>(items, count, read_run);
}

bool save_job(SqliteConnection& db, const Job& job) {
    auto& update = db.prepare(
        "UPDATE jobs SET id = ?1, url = ?3, custom_id = ?4, status = ?5, status_code = ?6, "
        "attempts = ?7, error = ?8, started_at = ?9, finished_at = ?10, duration_ms = ?11 "
        "WHERE run = (SELECT seq FROM runs WHERE id = ?12) AND idx = ?2");
    bind_job(update, job);
    update.run();
    return db.changes() > 0;
}

std::int64_t cancel_pending(SqliteConnection& db, const std::string& run_id, TimePoint at) {
    db.prepare(
          "UPDATE jobs SET status = 'cancelled', error = 'cancelled before it started', "
          "finished_at = ?2 WHERE run = (SELECT seq FROM runs WHERE id = ?1) "
          "AND status = 'pending'")
        .bind(1, run_id)
        .bind(2, to_nanoseconds(at))
        .run();
    const std::int64_t cancelled = db.changes();
    db.prepare("UPDATE runs SET cancelled = cancelled + ?2, cancel_requested = 1 WHERE id = ?1")
        .bind(1, run_id)
        .bind(2, cancelled)
        .run();
    return cancelled;
}

void save_outcome(SqliteConnection& db, const Job& job, const JobResult& result) {
    if (!save_job(db, job)) {
        return;
    }
    count_outcome(db, job.run_id, job.status);
    const auto code =
        result.status_code ? std::optional<std::int64_t>(*result.status_code) : std::nullopt;
    db.prepare(
          "INSERT OR REPLACE INTO results (run, idx, status, url, final_url, status_code, "
          "headers, body, error, timings, actions, screenshot, custom_id) "
          "VALUES ((SELECT seq FROM runs WHERE id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
          "?11, ?12, ?13)")
        .bind(1, job.run_id)
        .bind(2, job.index)
        .bind(3, to_string(result.status))
        .bind(4, result.url)
        .bind(5, result.final_url)
        .bind(6, code)
        .bind(7, encode_headers(result.headers))
        .bind_blob(8, result.body)
        .bind(9, result.error)
        .bind(10, encode_timings(result.timings))
        .bind(11, encode_action_outcomes(result.actions))
        .bind(12, result.screenshot)
        .bind(13, result.custom_id)
        .run();
}

std::optional<Job> load_job(SqliteConnection& db, const std::string& run_id,
                            const std::string& job_id) {
    auto& row = db.prepare(
        sql({"SELECT ", job_columns, " FROM jobs WHERE run = ", run_key, " AND id = :job_id"}));
    row.bind(1, run_id).bind(2, job_id);
    if (!row.step()) {
        return std::nullopt;
    }
    Job job = read_job(row, run_id);
    row.reset();
    return job;
}

Page<Job> load_jobs(SqliteConnection& db, const std::string& run_id,
                    std::optional<JobStatus> filter, PageQuery page) {
    constexpr std::string_view matching =
        " FROM jobs WHERE run = (SELECT seq FROM runs WHERE id = ?3) AND (?4 IS NULL OR status = "
        "?4)";
    auto& items =
        db.prepare(sql({"SELECT ", job_columns, matching, " ORDER BY idx LIMIT ?2 OFFSET ?1"}));
    items.bind(1, page.offset).bind(2, page.limit).bind(3, run_id).bind(4, filter_text(filter));
    auto& count = db.prepare(sql({"SELECT count(*)", matching}));
    count.bind(3, run_id).bind(4, filter_text(filter));
    return read_page<Job>(items, count,
                          [&](const SqliteStatement& row) { return read_job(row, run_id); });
}

std::optional<JobResult> load_result(SqliteConnection& db, const std::string& run_id,
                                     const std::string& job_id) {
    auto& row = db.prepare(sql(
        {"SELECT ", result_columns,
         " FROM jobs j JOIN results r ON r.run = j.run AND r.idx = j.idx WHERE j.run = ", run_key,
         " AND j.id = :job_id"}));
    row.bind(1, run_id).bind(2, job_id);
    if (!row.step()) {
        return std::nullopt;
    }
    JobResult result = read_result(row);
    row.reset();
    return result;
}

std::vector<JobResult> load_results_after(SqliteConnection& db, const std::string& run_id,
                                          std::optional<JobStatus> filter, std::int64_t after_index,
                                          std::size_t limit) {
    auto& rows = db.prepare(sql(
        {"SELECT ", result_columns,
         " FROM results r JOIN jobs j ON j.run = r.run AND j.idx = r.idx WHERE r.run = ", run_key,
         " AND r.idx > :after AND (:status IS NULL OR r.status = :status) ",
         "ORDER BY r.idx LIMIT :limit"}));
    rows.bind(1, run_id)
        .bind(2, after_index)
        .bind(3, filter_text(filter))
        .bind(4, static_cast<std::int64_t>(limit));
    std::vector<JobResult> results;
    while (rows.step()) {
        results.push_back(read_result(rows));
    }
    return results;
}

void save_screenshot(SqliteConnection& db, const std::string& run_id, const std::string& job_id,
                     const std::string& png) {
    db.prepare(sql({"INSERT OR REPLACE INTO screenshots (run, idx, png) SELECT run, idx, :png "
                    "FROM jobs WHERE run = ",
                    run_key, " AND id = :job_id"}))
        .bind_blob(1, png)
        .bind(2, run_id)
        .bind(3, job_id)
        .run();
}

std::optional<std::string> load_screenshot(SqliteConnection& db, const std::string& run_id,
                                           const std::string& job_id) {
    auto& row = db.prepare(
        sql({"SELECT s.png FROM jobs j JOIN screenshots s ON s.run = j.run AND s.idx = j.idx "
             "WHERE j.run = ",
             run_key, " AND j.id = :job_id"}));
    row.bind(1, run_id).bind(2, job_id);
    if (!row.step()) {
        return std::nullopt;
    }
    std::string png = row.text(0);
    row.reset();
    return png;
}

std::vector<UnfinishedRun> load_unfinished_runs(SqliteConnection& db) {
    struct InProgress {
        Run run;
        std::int64_t request_set = 0;
        std::int64_t key = 0;
        bool cancel_requested = false;
    };
    std::vector<InProgress> in_progress;
    auto& runs = db.prepare(
        sql({"SELECT ", run_columns,
             ", request_set, seq, cancel_requested FROM runs WHERE status = 'in_progress' "
             "ORDER BY seq"}));
    while (runs.step()) {
        in_progress.push_back({read_run(runs), runs.integer(run_column_count),
                               runs.integer(run_column_count + 1),
                               runs.integer(run_column_count + 2) != 0});
    }
    std::vector<UnfinishedRun> result;
    for (auto& found : in_progress) {
        UnfinishedRun unfinished;
        unfinished.cancel_requested = found.cancel_requested;
        unfinished.requests = load_requests(db, found.request_set);
        // The counters are recounted from the outcomes stored: they are what survived.
        auto& run = unfinished.run = std::move(found.run);
        run.success_requests = run.failed_requests = run.timeout_requests = 0;
        run.cancelled_requests = 0;
        auto& jobs =
            db.prepare("SELECT idx, status, attempts FROM jobs WHERE run = ?1 ORDER BY idx");
        jobs.bind(1, found.key);
        while (jobs.step()) {
            const JobStatus status = decode_job_status(jobs.text(1));
            if (!is_terminal(status)) {
                unfinished.unfinished.push_back(
                    {static_cast<std::size_t>(jobs.integer(0)), static_cast<int>(jobs.integer(2))});
            }
            run.count(status);
        }
        result.push_back(std::move(unfinished));
    }
    return result;
}

void save_callback(SqliteConnection& db, const std::string& run_id, CallbackStatus status,
                   int attempts, std::optional<TimePoint> next_try) {
    db.prepare(
          "UPDATE runs SET callback_status = ?2, callback_attempts = ?3, callback_next_try = ?4 "
          "WHERE id = ?1")
        .bind(1, run_id)
        .bind(2, to_string(status))
        .bind(3, static_cast<std::int64_t>(attempts))
        .bind(4, to_nanoseconds(next_try))
        .run();
}

std::vector<PendingCallback> load_pending_callbacks(SqliteConnection& db) {
    std::vector<PendingCallback> pending;
    auto& rows = db.prepare(sql({"SELECT ", run_columns,
                                 ", callback_attempts, callback_next_try FROM runs "
                                 "WHERE callback_status = 'pending' AND status <> 'in_progress' "
                                 "ORDER BY seq"}));
    while (rows.step()) {
        pending.push_back({read_run(rows), static_cast<int>(rows.integer(run_column_count)),
                           from_nanoseconds(rows.optional_integer(run_column_count + 1))});
    }
    return pending;
}

std::optional<IdempotentReply> load_idempotent_reply(SqliteConnection& db, const TenantId& tenant,
                                                     const std::string& key) {
    auto& row = db.prepare(
        "SELECT request_digest, status, body, created_at FROM idempotent_replies "
        "WHERE tenant = ?1 AND key = ?2");
    row.bind(1, tenant).bind(2, key);
    if (!row.step()) {
        return std::nullopt;
    }
    IdempotentReply reply{tenant,      key,
                          row.text(0), static_cast<int>(row.integer(1)),
                          row.text(2), from_nanoseconds(row.integer(3))};
    row.reset();
    return reply;
}

void save_idempotent_reply(SqliteConnection& db, const IdempotentReply& reply) {
    db.prepare(
          "INSERT INTO idempotent_replies (tenant, key, request_digest, status, body, created_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (tenant, key) DO NOTHING")
        .bind(1, reply.tenant)
        .bind(2, reply.key)
        .bind(3, reply.request_digest)
        .bind(4, static_cast<std::int64_t>(reply.status))
        .bind(5, reply.body)
        .bind(6, to_nanoseconds(reply.created_at))
        .run();
}

std::int64_t remove_idempotent_replies(SqliteConnection& db, TimePoint cutoff) {
    db.prepare("DELETE FROM idempotent_replies WHERE created_at < ?1")
        .bind(1, to_nanoseconds(cutoff))
        .run();
    return db.changes();
}

void requeue_interrupted_jobs(SqliteConnection& db) {
    db.execute(
        "UPDATE jobs SET status = 'pending', started_at = NULL "
        "WHERE run IN (SELECT seq FROM runs WHERE status = 'in_progress') AND status = 'running'");
}

std::vector<std::int64_t> find_runs_finished_before(SqliteConnection& db, TimePoint cutoff) {
    auto& rows = db.prepare(
        "SELECT seq FROM runs WHERE status IN (?1, ?2) AND finished_at < ?3 ORDER BY finished_at");
    rows.bind(1, to_string(RunStatus::completed))
        .bind(2, to_string(RunStatus::cancelled))
        .bind(3, to_nanoseconds(cutoff));
    std::vector<std::int64_t> keys;
    while (rows.step()) {
        keys.push_back(rows.integer(0));
    }
    return keys;
}

RunRemoval remove_run_step(SqliteConnection& db, std::int64_t run_key, std::int64_t max_rows) {
    // The run row goes last, once nothing refers to it: a sweep cut short (shutdown, crash)
    // leaves a run the next sweep finds again.
    constexpr std::array<std::string_view, 3> rows_below{
        "DELETE FROM screenshots WHERE rowid IN "
        "(SELECT rowid FROM screenshots WHERE run = ?1 LIMIT ?2)",
        "DELETE FROM results WHERE rowid IN (SELECT rowid FROM results WHERE run = ?1 LIMIT ?2)",
        "DELETE FROM jobs WHERE run = ?1 AND idx IN (SELECT idx FROM jobs WHERE run = ?1 LIMIT ?2)",
    };
    std::int64_t left = max_rows;
    for (const auto statement : rows_below) {
        db.prepare(statement).bind(1, run_key).bind(2, left).run();
        left -= db.changes();
        if (left <= 0) {
            return RunRemoval::partial;
        }
    }
    db.prepare("DELETE FROM runs WHERE seq = ?1").bind(1, run_key).run();
    return db.changes() > 0 ? RunRemoval::removed : RunRemoval::already_gone;
}

std::vector<std::int64_t> find_unused_request_sets(SqliteConnection& db) {
    auto& rows = db.prepare(
        "SELECT id FROM request_sets s "
        "WHERE NOT EXISTS (SELECT 1 FROM collections WHERE request_set = s.id) "
        "AND NOT EXISTS (SELECT 1 FROM runs WHERE request_set = s.id)");
    std::vector<std::int64_t> ids;
    while (rows.step()) {
        ids.push_back(rows.integer(0));
    }
    return ids;
}

void remove_unused_request_set(SqliteConnection& db, std::int64_t set_id) {
    // The set goes whole, its requests through ON DELETE CASCADE: a run created from it in the
    // meantime then finds it either complete or missing (and stores it again), never half gone.
    db.prepare(
          "DELETE FROM request_sets WHERE id = ?1 "
          "AND NOT EXISTS (SELECT 1 FROM collections WHERE request_set = ?1) "
          "AND NOT EXISTS (SELECT 1 FROM runs WHERE request_set = ?1)")
        .bind(1, set_id)
        .run();
}

std::int64_t reclaim_free_pages(SqliteConnection& db, std::int64_t max_pages) {
    db.execute("PRAGMA incremental_vacuum(" + std::to_string(max_pages) + ")");
    return db.query_integer("PRAGMA freelist_count");
}

}  // namespace asyncscrape
