// The durable store: SQLite in WAL mode, one file under the data directory. Writes go to a
// writer thread that commits them in groups (see sqlite_worker.hpp); reads go to a reader thread
// with a read-only connection of its own, so that a GET is not queued behind a batch commit.
//
// Durability: with WAL and synchronous=NORMAL a committed transaction survives the process being
// killed (it is in the WAL file, which the kernel keeps); a power loss or OS crash may lose the
// last transactions committed before it, never corrupt the file. Each write is answered only
// after its commit, so what the API acknowledged survives a crash of the server.
#include "store/data_dir_lock.hpp"
#include "store/database_call.hpp"
#include "store/sqlite_queries.hpp"
#include "store/sqlite_schema.hpp"
#include "store/sqlite_worker.hpp"

#include <asyncscrape/store.hpp>

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/this_coro.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace asyncscrape {
namespace {

namespace asio = boost::asio;

class SqliteStore final : public Store {
  public:
    SqliteStore(asio::any_io_executor executor, DataDirLock lock, SqliteConnection writer,
                SqliteConnection reader, std::int64_t next_request_set)
        : executor_(std::move(executor)),
          lock_(std::move(lock)),
          writer_(std::move(writer), WorkerRole::writer),
          reader_(std::move(reader), WorkerRole::reader),
          next_request_set_(next_request_set) {}

    Task<void> put_collection(Collection collection) override {
        auto requests = request_set_for(collection.id, collection.requests);
        return write([collection = std::move(collection), requests = std::move(requests)](
                         SqliteConnection& db) { save_collection(db, collection, requests); });
    }

    Task<std::optional<Collection>> get_collection(std::string id) override {
        auto query =
            read([id = std::move(id)](SqliteConnection& db) { return load_collection(db, id); });
        auto stored = co_await std::move(query);
        if (!stored) {
            co_return std::nullopt;
        }
        remember_requests(*stored);
        co_return std::move(stored->collection);
    }

    Task<Page<Collection>> list_collections(TenantId tenant, PageQuery page) override {
        auto query = read([tenant = std::move(tenant), page](SqliteConnection& db) {
            return load_collections(db, tenant, page);
        });
        auto stored = co_await std::move(query);
        Page<Collection> result;
        result.total = stored.total;
        for (auto& item : stored.items) {
            remember_requests(item);
            result.items.push_back(std::move(item.collection));
        }
        co_return result;
    }

    Task<bool> delete_collection(std::string id) override {
        return write(
            [id = std::move(id)](SqliteConnection& db) { return remove_collection(db, id); });
    }

    Task<bool> create_run(Run run, RequestList requests) override {
        auto set = request_set_for(run.collection_id, std::move(requests));
        return write([run = std::move(run), set = std::move(set)](SqliteConnection& db) {
            return save_new_run(db, run, set);
        });
    }

    Task<void> update_run(Run run) override {
        return write([run = std::move(run)](SqliteConnection& db) { save_run(db, run); });
    }

    Task<std::optional<Run>> get_run(std::string collection_id, std::string run_id) override {
        return read([collection_id = std::move(collection_id), run_id = std::move(run_id)](
                        SqliteConnection& db) { return load_run(db, collection_id, run_id); });
    }

    Task<Page<Run>> list_runs(std::string collection_id, std::optional<RunStatus> filter,
                              PageQuery page) override {
        return read([collection_id = std::move(collection_id), filter, page](SqliteConnection& db) {
            return load_runs(db, collection_id, filter, page);
        });
    }

    Task<void> update_job(Job job) override {
        return write([job = std::move(job)](SqliteConnection& db) { save_job(db, job); });
    }

    Task<std::int64_t> cancel_pending_jobs(std::string run_id, TimePoint at) override {
        return write([run_id = std::move(run_id), at](SqliteConnection& db) {
            return cancel_pending(db, run_id, at);
        });
    }

    Task<void> finish_job(Job job, JobResult result) override {
        return write([job = std::move(job), result = std::move(result)](SqliteConnection& db) {
            save_outcome(db, job, result);
        });
    }

    Task<std::optional<Job>> get_job(std::string run_id, std::string job_id) override {
        return read([run_id = std::move(run_id), job_id = std::move(job_id)](SqliteConnection& db) {
            return load_job(db, run_id, job_id);
        });
    }

    Task<Page<Job>> list_jobs(std::string run_id, std::optional<JobStatus> filter,
                              PageQuery page) override {
        return read([run_id = std::move(run_id), filter, page](SqliteConnection& db) {
            return load_jobs(db, run_id, filter, page);
        });
    }

    Task<std::optional<JobResult>> get_result(std::string run_id, std::string job_id) override {
        return read([run_id = std::move(run_id), job_id = std::move(job_id)](SqliteConnection& db) {
            return load_result(db, run_id, job_id);
        });
    }

    Task<std::vector<JobResult>> results_after(std::string run_id, std::optional<JobStatus> filter,
                                               std::int64_t after_index,
                                               std::size_t limit) override {
        return read([run_id = std::move(run_id), filter, after_index, limit](SqliteConnection& db) {
            return load_results_after(db, run_id, filter, after_index, limit);
        });
    }

    Task<void> put_screenshot(std::string run_id, std::string job_id, std::string png) override {
        return write([run_id = std::move(run_id), job_id = std::move(job_id), png = std::move(png)](
                         SqliteConnection& db) { save_screenshot(db, run_id, job_id, png); });
    }

    Task<std::optional<std::string>> get_screenshot(std::string run_id,
                                                    std::string job_id) override {
        return read([run_id = std::move(run_id), job_id = std::move(job_id)](SqliteConnection& db) {
            return load_screenshot(db, run_id, job_id);
        });
    }

    Task<std::vector<UnfinishedRun>> unfinished_runs() override {
        return read([](SqliteConnection& db) { return load_unfinished_runs(db); });
    }

    Task<void> update_callback(std::string run_id, CallbackStatus status, int attempts,
                               std::optional<TimePoint> next_try) override {
        return write(
            [run_id = std::move(run_id), status, attempts, next_try](SqliteConnection& db) {
                save_callback(db, run_id, status, attempts, next_try);
            });
    }

    Task<std::vector<PendingCallback>> pending_callbacks() override {
        return read([](SqliteConnection& db) { return load_pending_callbacks(db); });
    }

    Task<std::optional<IdempotentReply>> find_idempotent_reply(TenantId tenant,
                                                               std::string key) override {
        return read([tenant = std::move(tenant), key = std::move(key)](SqliteConnection& db) {
            return load_idempotent_reply(db, tenant, key);
        });
    }

    Task<void> put_idempotent_reply(IdempotentReply reply) override {
        return write(
            [reply = std::move(reply)](SqliteConnection& db) { save_idempotent_reply(db, reply); });
    }

    Task<std::int64_t> remove_idempotent_replies_before(TimePoint cutoff) override {
        return write(
            [cutoff](SqliteConnection& db) { return remove_idempotent_replies(db, cutoff); });
    }

    // Each step is one write among the others in the writer's queue, so a sweep holds up the
    // API's writes for one bounded step at a time, however big the runs it removes.
    Task<std::int64_t> remove_runs_finished_before(TimePoint cutoff) override {
        // Checked before each step: the step under way when a cancellation comes is finished,
        // no further one is started.
        const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
        const auto cancelled = [&cancellation] {
            return cancellation.cancelled() != asio::cancellation_type::none;
        };
        std::int64_t removed = 0;
        if (cancelled()) {
            co_return removed;
        }
        const std::vector<std::int64_t> runs = co_await runs_finished_before(cutoff);
        for (const std::int64_t run : runs) {
            for (auto step = RunRemoval::partial; step == RunRemoval::partial;) {
                if (cancelled()) {
                    co_return removed;
                }
                step = co_await remove_part_of_run(run);
                removed += step == RunRemoval::removed ? 1 : 0;
            }
        }
        if (cancelled()) {
            co_return removed;
        }
        const std::vector<std::int64_t> sets = co_await unused_request_sets();
        for (const std::int64_t set : sets) {
            if (cancelled()) {
                co_return removed;
            }
            co_await remove_request_set(set);
        }
        // Stops when a step frees nothing: a file made without auto_vacuum cannot shrink.
        for (std::int64_t free_pages = -1;;) {
            if (cancelled()) {
                co_return removed;
            }
            const std::int64_t left = co_await reclaim_some_free_pages();
            if (left == 0 || left == free_pages) {
                break;
            }
            free_pages = left;
        }
        co_return removed;
    }

  private:
    // Bounds of one retention step: rows removed, and pages given back to the file system.
    static constexpr std::int64_t rows_per_step = 256;
    static constexpr std::int64_t pages_per_step = 1024;

    Task<std::vector<std::int64_t>> runs_finished_before(TimePoint cutoff) {
        return read(
            [cutoff](SqliteConnection& db) { return find_runs_finished_before(db, cutoff); });
    }

    Task<RunRemoval> remove_part_of_run(std::int64_t run) {
        return write(
            [run](SqliteConnection& db) { return remove_run_step(db, run, rows_per_step); });
    }

    Task<std::vector<std::int64_t>> unused_request_sets() {
        return read([](SqliteConnection& db) { return find_unused_request_sets(db); });
    }

    Task<void> remove_request_set(std::int64_t set) {
        return write([set](SqliteConnection& db) { remove_unused_request_set(db, set); });
    }

    Task<std::int64_t> reclaim_some_free_pages() {
        return write([](SqliteConnection& db) { return reclaim_free_pages(db, pages_per_step); });
    }

    // A RequestList the store has written or read, under the id of its stored copy.
    struct KnownRequests {
        std::weak_ptr<const std::vector<Request>> requests;
        std::string collection_id;
        std::int64_t set_id = 0;
    };

    template <class Work>
    Task<detail::WorkAnswer<Work>> write(Work work) {
        return ask_database(writer_, executor_, std::move(work));
    }

    template <class Work>
    Task<detail::WorkAnswer<Work>> read(Work work) {
        return ask_database(reader_, executor_, std::move(work));
    }

    // The stored copy of these requests when the store has seen this very RequestList for the
    // collection (a run started from the collection as it is), else a new id: RequestLists are
    // immutable, so the same object means the same requests. Runs on the io_context only.
    RequestSetRef request_set_for(const std::string& collection_id, RequestList requests) {
        forget_expired_requests();
        for (const auto& known : known_requests_) {
            if (known.collection_id == collection_id && known.requests.lock() == requests) {
                return {known.set_id, std::move(requests)};
            }
        }
        const std::int64_t id = next_request_set_++;
        if (requests) {
            known_requests_.push_back({requests, collection_id, id});
        }
        return {id, std::move(requests)};
    }

    void remember_requests(const StoredCollection& stored) {
        forget_expired_requests();
        known_requests_.push_back(
            {stored.collection.requests, stored.collection.id, stored.request_set});
    }

    void forget_expired_requests() {
        std::erase_if(known_requests_,
                      [](const KnownRequests& known) { return known.requests.expired(); });
    }

    asio::any_io_executor executor_;
    DataDirLock lock_;  // released last, after the threads have finished
    SqliteWorker writer_;
    SqliteWorker reader_;
    std::int64_t next_request_set_;
    std::vector<KnownRequests> known_requests_;
};

// Settings of every connection. busy_timeout covers the moments a checkpoint holds a lock.
void configure(SqliteConnection& db) {
    db.execute("PRAGMA busy_timeout = 5000");
    db.execute("PRAGMA foreign_keys = ON");
}

}  // namespace

Outcome<std::shared_ptr<Store>> open_sqlite_store(asio::any_io_executor executor,
                                                  std::string data_dir) {
    std::error_code error;
    std::filesystem::create_directories(data_dir, error);
    if (error) {
        return unavailable("cannot create the data directory " + data_dir + ": " + error.message());
    }
    // SQLite keeps the WAL and its index beside the database: without them it can neither write
    // nor read a WAL database, so a directory it cannot write is refused here, by name.
    if (access(data_dir.c_str(), W_OK | X_OK) != 0) {
        return unavailable("the data directory " + data_dir +
                           " is not writable: " + std::strerror(errno));
    }
    auto lock = DataDirLock::acquire(data_dir);
    if (!lock) {
        return lock.error();
    }
    const std::string path = data_dir + "/asyncscrape.db";
    try {
        SqliteConnection writer(path,
                                SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
        configure(writer);
        // A file the process may only read is served read-only (SQLite opens it so); its
        // writes fail with SQLite's reason. It cannot be switched to WAL or created.
        const bool read_only = sqlite3_db_readonly(writer.handle(), "main") == 1;
        if (!read_only) {
            // auto_vacuum takes effect only on a database without tables, when it is created;
            // it lets retention give space back with incremental_vacuum, not a full VACUUM.
            writer.execute("PRAGMA auto_vacuum = INCREMENTAL");
            writer.execute("PRAGMA journal_mode = WAL");
        }
        if (writer.query_text("PRAGMA journal_mode") != "wal") {
            return unavailable("cannot open database " + path + ": WAL mode is not available");
        }
        writer.execute("PRAGMA synchronous = NORMAL");
        if (auto failure = migrate(writer, schema_migrations())) {
            return unavailable("cannot open database " + path + ": " + failure->detail);
        }
        if (!read_only) {
            requeue_interrupted_jobs(writer);
        }
        SqliteConnection reader(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
        configure(reader);
        const std::int64_t next_request_set = next_request_set_id(writer);
        return std::shared_ptr<Store>(
            std::make_shared<SqliteStore>(std::move(executor), std::move(*lock), std::move(writer),
                                          std::move(reader), next_request_set));
    } catch (const SqliteError& failure) {
        return unavailable("cannot open database " + path + ": " + failure.what());
    }
}

}  // namespace asyncscrape
