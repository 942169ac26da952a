// What only the SQLite store has: everything survives closing and reopening, runs in progress
// are found again, the data directory is locked, the schema is versioned, and write failures
// are answered with StoreUnavailable while reads go on.
#include "store_fixture.hpp"

#include "store/sqlite_connection.hpp"
#include "store/sqlite_schema.hpp"

#include "support/run_all.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

using namespace asyncscrape;
using namespace asyncscrape::test;

namespace {

using SqliteFixture = StoreFixture<SqliteStoreFactory>;

std::string database_path(const SqliteFixture& f) {
    return f.factory.data.string() + "/asyncscrape.db";
}

Error open_error(boost::asio::io_context& io, const std::string& data_dir) {
    auto store = open_sqlite_store(io.get_executor(), data_dir);
    REQUIRE_FALSE(store);
    return store.error();
}

// Finishes the jobs given, `per_writer` after one another in each of `writers` coroutines.
boost::asio::awaitable<int> finish_in_turn(Store& store, std::vector<Job> jobs) {
    for (auto& job : jobs) {
        auto [done, result] = finished(std::move(job), JobStatus::success);
        co_await store.finish_job(std::move(done), std::move(result));
    }
    co_return 0;
}

}  // namespace

TEST_CASE("a reopened store has everything it had, and the runs still in progress", "[sqlite]") {
    SqliteFixture f;
    const auto collection = collection_of("c", 3);
    const auto run = run_of(collection, "r");
    const auto jobs = jobs_of(run, collection);
    f.await(f.store->put_collection(collection));
    REQUIRE(f.await(f.store->create_run(run, collection.requests)));
    const auto [first, first_result] = finished(jobs[0], JobStatus::success);
    const auto [third, third_result] = finished(jobs[2], JobStatus::timeout);
    f.await(f.store->finish_job(first, first_result));
    f.await(f.store->finish_job(third, third_result));
    f.await(f.store->put_screenshot("r", first.job_id, "png bytes"));
    auto running = jobs[1];
    running.status = JobStatus::running;
    running.attempts = 2;
    f.await(f.store->update_job(running));
    // Counters the runtime wrote before the crash do not matter: they are recounted.
    auto counted = run;
    counted.success_requests = 3;
    f.await(f.store->update_run(counted));

    f.reopen();

    CHECK(shown(f.await(f.store->get_collection("c"))) == shown(collection));
    CHECK(shown(f.await(f.store->get_job("r", first.job_id))) == shown(first));
    CHECK(shown(f.await(f.store->get_result("r", third.job_id))) == shown(third_result));
    CHECK(f.await(f.store->get_screenshot("r", first.job_id)) == "png bytes");

    const auto unfinished = f.await(f.store->unfinished_runs());
    REQUIRE(unfinished.size() == 1);
    const auto& resumed = unfinished[0];
    CHECK(resumed.run.run_id == "r");
    CHECK(resumed.run.success_requests == 1);
    CHECK(resumed.run.timeout_requests == 1);
    CHECK(resumed.run.finished_requests() == 2);
    REQUIRE(resumed.unfinished.size() == 1);
    CHECK(resumed.unfinished[0].index == 1);
    CHECK(resumed.unfinished[0].attempts == 2);
    CHECK_FALSE(resumed.cancel_requested);
    // Cut short with the process that ran it, the job is pending again, its attempts counted.
    const auto requeued = f.await(f.store->get_job("r", running.job_id));
    REQUIRE(requeued);
    CHECK(requeued->status == JobStatus::pending);
    CHECK(requeued->attempts == 2);
    CHECK_FALSE(requeued->started_at);
    REQUIRE(resumed.requests);
    REQUIRE(resumed.requests->size() == 3);
    CHECK((*resumed.requests)[2].url == (*collection.requests)[2].url);
    CHECK((*resumed.requests)[2].headers == (*collection.requests)[2].headers);

    auto ended = run;
    ended.status = RunStatus::completed;
    f.await(f.store->update_run(ended));
    CHECK(f.await(f.store->unfinished_runs()).empty());
}

TEST_CASE("a cancel outlives the store: the run comes back to be ended, not resumed", "[sqlite]") {
    SqliteFixture f;
    const auto collection = collection_of("c", 3);
    const auto run = run_of(collection, "r");
    auto jobs = jobs_of(run, collection);
    f.await(f.store->put_collection(collection));
    REQUIRE(f.await(f.store->create_run(run, collection.requests)));
    jobs[0].status = JobStatus::running;
    jobs[0].attempts = 1;
    f.await(f.store->update_job(jobs[0]));
    CHECK(f.await(f.store->cancel_pending_jobs("r", at_second(40))) == 2);

    f.reopen();
    const auto unfinished = f.await(f.store->unfinished_runs());
    REQUIRE(unfinished.size() == 1);
    CHECK(unfinished[0].cancel_requested);
    CHECK(unfinished[0].run.cancelled_requests == 2);
    REQUIRE(unfinished[0].unfinished.size() == 1);
    CHECK(unfinished[0].unfinished[0].index == 0);
    // The job in flight at the cut is pending again, so cancelling ends it too.
    CHECK(f.await(f.store->cancel_pending_jobs("r", at_second(50))) == 1);
    CHECK(f.await(f.store->get_run("c", "r"))->cancelled_requests == 3);
}

TEST_CASE("a run keeps the requests it started with when its collection is replaced", "[sqlite]") {
    SqliteFixture f;
    const auto original = collection_of("c", 2);
    const auto run = run_of(original, "r");
    f.await(f.store->put_collection(original));
    REQUIRE(f.await(f.store->create_run(run, original.requests)));
    auto replaced = collection_of("c", 5);
    replaced.requests = std::make_shared<std::vector<Request>>(
        std::vector<Request>{request_for("https://example.test/other")});
    f.await(f.store->put_collection(replaced));
    f.reopen();

    CHECK(f.await(f.store->get_collection("c"))->total_requests() == 1);
    const auto unfinished = f.await(f.store->unfinished_runs());
    REQUIRE(unfinished.size() == 1);
    REQUIRE(unfinished[0].requests->size() == 2);
    CHECK((*unfinished[0].requests)[1].url == (*original.requests)[1].url);
}

TEST_CASE("runs of an unchanged collection share one stored copy of its requests", "[sqlite]") {
    SqliteFixture f;
    const auto collection = collection_of("c", 4);
    f.await(f.store->put_collection(collection));
    for (int i = 0; i < 3; ++i) {
        const auto run = run_of(collection, "r" + std::to_string(i));
        REQUIRE(f.await(f.store->create_run(run, collection.requests)));
    }
    // After a restart the collection is read back, and runs of what was read share it too.
    f.reopen();
    const auto loaded = f.await(f.store->get_collection("c"));
    REQUIRE(loaded);
    const auto later = run_of(*loaded, "later");
    REQUIRE(f.await(f.store->create_run(later, loaded->requests)));
    f.store.reset();

    SqliteConnection db(database_path(f), SQLITE_OPEN_READONLY);
    CHECK(db.query_integer("SELECT count(*) FROM requests") == 4);
    CHECK(db.query_integer("SELECT count(DISTINCT request_set) FROM runs") == 1);
}

TEST_CASE("a data directory is used by one store at a time", "[sqlite]") {
    SqliteFixture f;
    const Error refused = open_error(f.io, f.factory.data.string());
    CHECK(refused.code == Errc::unavailable);
    CHECK(refused.detail == "data directory " + f.factory.data.string() +
                                " is in use by another asyncscrape process (pid " +
                                std::to_string(getpid()) + ")");

    f.store.reset();
    CHECK(open_sqlite_store(f.io.get_executor(), f.factory.data.string()));
}

TEST_CASE("a database is created in WAL mode with incremental auto-vacuum", "[sqlite]") {
    SqliteFixture f;
    SqliteConnection db(database_path(f), SQLITE_OPEN_READONLY);
    CHECK(db.query_text("PRAGMA journal_mode") == "wal");
    CHECK(db.query_integer("PRAGMA auto_vacuum") == 2);
    CHECK(db.query_integer("PRAGMA user_version") ==
          static_cast<std::int64_t>(schema_migrations().size()));
}

TEST_CASE("a database written by a newer asyncscrape is refused", "[sqlite]") {
    SqliteFixture f;
    f.store.reset();
    SqliteConnection(database_path(f), SQLITE_OPEN_READWRITE).execute("PRAGMA user_version = 7");

    const Error refused = open_error(f.io, f.factory.data.string());
    CHECK(refused.code == Errc::unavailable);
    CHECK(refused.detail == "cannot open database " + database_path(f) +
                                ": the database was written by a newer asyncscrape (schema 7, "
                                "this one knows " +
                                std::to_string(schema_migrations().size()) + ")");
}

TEST_CASE("a file that is not a database is refused with SQLite's reason", "[sqlite]") {
    boost::asio::io_context io;
    const TempDir data;
    std::ofstream(data.string() + "/asyncscrape.db") << std::string(8192, 'x');
    const Error refused = open_error(io, data.string());
    CHECK(refused.code == Errc::unavailable);
    CHECK_THAT(refused.detail, Catch::Contains("file is not a database"));
}

TEST_CASE("migrations bring an older file up to date, each step all or nothing", "[sqlite]") {
    SqliteFixture f;
    f.store.reset();
    SqliteConnection db(database_path(f), SQLITE_OPEN_READWRITE);
    std::vector<Migration> steps(schema_migrations().begin(), schema_migrations().end());
    const auto current = static_cast<std::int64_t>(steps.size());

    steps.push_back({"CREATE TABLE added (x); INSERT INTO added VALUES (1);"});
    CHECK_FALSE(migrate(db, steps));
    CHECK(db.query_integer("PRAGMA user_version") == current + 1);
    CHECK(db.query_integer("SELECT x FROM added") == 1);

    steps.push_back({"CREATE TABLE half (x); INSERT INTO missing VALUES (1);"});
    const auto failed = migrate(db, steps);
    REQUIRE(failed);
    CHECK(failed->detail == "upgrading the database to schema " + std::to_string(current + 2) +
                                " failed: no such table: missing");
    CHECK(db.query_integer("PRAGMA user_version") == current + 1);
    CHECK(db.query_integer("SELECT count(*) FROM sqlite_schema WHERE name = 'half'") == 0);
}

TEST_CASE("concurrent job outcomes are committed in groups and all stored", "[sqlite]") {
    constexpr int writers = 100;
    constexpr int per_writer = 200;
    SqliteFixture f;
    const auto collection = collection_of("c", writers * per_writer);
    const auto run = run_of(collection, "r");
    const auto jobs = jobs_of(run, collection);
    f.await(f.store->put_collection(collection));
    REQUIRE(f.await(f.store->create_run(run, collection.requests)));

    std::vector<boost::asio::awaitable<int>> tasks;
    for (int w = 0; w < writers; ++w) {
        std::vector<Job> share;
        for (int i = w; i < writers * per_writer; i += writers) {
            share.push_back(jobs[static_cast<std::size_t>(i)]);
        }
        tasks.push_back(finish_in_turn(*f.store, std::move(share)));
    }
    f.await(run_all(std::move(tasks)));
    f.reopen();

    CHECK(f.await(f.store->list_jobs("r", JobStatus::success, {.limit = 1})).total ==
          writers * per_writer);
    const auto last =
        f.await(f.store->results_after("r", std::nullopt, -1 + writers * per_writer - 1, 5));
    REQUIRE(last.size() == 1);
    CHECK(last[0].job_id == jobs.back().job_id);
}

namespace {

// Runs `body` in a child process, so that it may change what the whole process is allowed to
// do (its user, its file size limit). Answers the child's exit status; the child explains a
// failure on stderr.
template <class Body>
int exit_status_of_child(Body body) {
    const pid_t child = fork();
    if (child == 0) {
        int status = 1;
        try {
            status = body();
        } catch (const std::exception& failure) {
            std::fprintf(stderr, "child: %s\n", failure.what());
        }
        std::_Exit(status);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// In a child: false, with the reason on stderr, when `check` does not hold.
bool expect(bool check, const std::string& what) {
    if (!check) {
        std::fprintf(stderr, "child: expected %s\n", what.c_str());
    }
    return check;
}

// The message of the StoreUnavailable that `call` throws, or "" when it throws none.
template <class T>
std::string unavailable_reason(boost::asio::io_context& io, boost::asio::awaitable<T> call) {
    try {
        run_test_coroutine(io, std::move(call));
    } catch (const StoreUnavailable& failure) {
        return failure.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a read-only database answers reads, and writes with StoreUnavailable", "[sqlite]") {
    SqliteFixture f;
    const auto collection = collection_of("c", 2);
    f.await(f.store->put_collection(collection));
    f.store.reset();
    // Root writes to anything: as root the child drops to an unprivileged user. For it the
    // database file is read-only and the directory writable (SQLite keeps its WAL index there).
    std::filesystem::permissions(f.factory.data.path(), std::filesystem::perms::all);
    std::filesystem::permissions(database_path(f), std::filesystem::perms::owner_read |
                                                       std::filesystem::perms::group_read |
                                                       std::filesystem::perms::others_read);

    const int status = exit_status_of_child([&] {
        const bool privileged = getuid() == 0;
        if (privileged && (setgid(65534) != 0 || setuid(65534) != 0)) {
            return 2;
        }
        boost::asio::io_context io;
        auto store = open_sqlite_store(io.get_executor(), f.factory.data.string());
        if (!expect(store.has_value(),
                    "the store to open: " + (store ? std::string() : store.error().detail))) {
            return 1;
        }
        const auto& opened = *store;
        const auto before = run_test_coroutine(io, opened->get_collection("c"));
        const auto reason = unavailable_reason(io, opened->put_collection(collection_of("d", 1)));
        const auto after = run_test_coroutine(io, opened->list_collections({}, {}));
        const bool passed =
            expect(before && before->total_requests() == 2, "the collection before the write") &
            expect(reason == "attempt to write a readonly database", "the reason, not: " + reason) &
            expect(after.total == 1 && after.items[0].id == "c", "the collection after it");
        return passed ? 0 : 1;
    });
    CHECK(status == 0);
}

TEST_CASE("a data directory the server may not write is refused by name", "[sqlite]") {
    SqliteFixture f;
    f.await(f.store->put_collection(collection_of("c", 2)));
    f.store.reset();
    using std::filesystem::perms;
    std::filesystem::permissions(f.factory.data.path(),
                                 perms::owner_write | perms::group_write | perms::others_write,
                                 std::filesystem::perm_options::remove);

    const int status = exit_status_of_child([&] {
        if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) {
            return 2;
        }
        boost::asio::io_context io;
        const auto store = open_sqlite_store(io.get_executor(), f.factory.data.string());
        const std::string detail = store ? "" : store.error().detail;
        return expect(detail == "the data directory " + f.factory.data.string() +
                                    " is not writable: Permission denied",
                      "the refusal, not: " + detail)
                   ? 0
                   : 1;
    });
    std::filesystem::permissions(f.factory.data.path(), perms::owner_all);
    CHECK(status == 0);
    // Nothing was lost: with the directory writable again the collection is there.
    f.reopen();
    CHECK(f.await(f.store->get_collection("c")));
}

TEST_CASE("a write that finds the disk full fails alone; the store goes on", "[sqlite]") {
    SqliteFixture f;
    const auto collection = collection_of("c", 3);
    const auto run = run_of(collection, "r");
    const auto jobs = jobs_of(run, collection);
    f.await(f.store->put_collection(collection));
    REQUIRE(f.await(f.store->create_run(run, collection.requests)));
    f.store.reset();

    const int status = exit_status_of_child([&] {
        // Past the limit a write fails with EFBIG instead of killing the process.
        std::signal(SIGXFSZ, SIG_IGN);
        boost::asio::io_context io;
        auto store = open_sqlite_store(io.get_executor(), f.factory.data.string());
        if (!expect(store.has_value(), "the store to open")) {
            return 1;
        }
        const auto& opened = *store;
        rlimit limit{};
        getrlimit(RLIMIT_FSIZE, &limit);
        const rlimit unlimited = limit;
        limit.rlim_cur = 512 * 1024;
        setrlimit(RLIMIT_FSIZE, &limit);

        auto [big, big_result] = finished(jobs[0], JobStatus::success);
        big_result.body = std::string(4 * 1024 * 1024, 'x');
        const auto reason = unavailable_reason(io, opened->finish_job(big, big_result));
        const bool refused =
            expect(reason == "database or disk is full" || reason == "disk I/O error",
                   "a full disk, not: " + reason);
        const auto job = run_test_coroutine(io, opened->get_job("r", jobs[0].job_id));
        const bool readable = expect(job && job->status == JobStatus::pending,
                                     "the job as it was before the failed write");

        setrlimit(RLIMIT_FSIZE, &unlimited);
        auto [small, small_result] = finished(jobs[1], JobStatus::success);
        run_test_coroutine(io, opened->finish_job(small, small_result));
        const auto stored = run_test_coroutine(io, opened->get_result("r", jobs[1].job_id));
        const bool recovered = expect(stored.has_value(), "a later write to be stored");
        return refused && readable && recovered ? 0 : 1;
    });
    CHECK(status == 0);
}

TEST_CASE("retention gives a removed run's space back and drops the requests nothing uses",
          "[sqlite]") {
    SqliteFixture f;
    const auto original = collection_of("c", 4);
    const auto run = run_of(original, "r");
    const auto jobs = jobs_of(run, original);
    f.await(f.store->put_collection(original));
    REQUIRE(f.await(f.store->create_run(run, original.requests)));
    const std::string big_body(1024 * 1024, 'b');
    for (const auto& job : jobs) {
        auto [done, result] = finished(job, JobStatus::success);
        result.body = big_body;
        f.await(f.store->finish_job(std::move(done), std::move(result)));
    }
    f.await(f.store->put_screenshot("r", jobs[0].job_id, big_body));
    auto completed = run;
    completed.status = RunStatus::completed;
    completed.finished_at = at_second(100);
    f.await(f.store->update_run(completed));
    // The collection moves on to other requests; the old ones stay while the run refers to them.
    f.await(f.store->put_collection(collection_of("c", 3, 5)));

    SqliteConnection db(database_path(f), SQLITE_OPEN_READONLY);
    const std::int64_t pages_before = db.query_integer("PRAGMA page_count");
    CHECK(db.query_integer("SELECT count(*) FROM requests") == 4 + 3);

    CHECK(f.await(f.store->remove_runs_finished_before(at_second(200))) == 1);

    // Five bodies of 1 MiB were in the file: at least that much is given back, nothing is left
    // on the free list.
    const std::int64_t page_size = db.query_integer("PRAGMA page_size");
    CHECK(db.query_integer("PRAGMA page_count") <= pages_before - 5 * 1024 * 1024 / page_size);
    CHECK(db.query_integer("PRAGMA freelist_count") == 0);
    CHECK(db.query_integer("SELECT count(*) FROM request_sets") == 1);
    CHECK(db.query_integer("SELECT count(*) FROM requests") == 3);
    CHECK(db.query_integer("SELECT count(*) FROM jobs") == 0);
    CHECK(db.query_integer("SELECT count(*) FROM results") == 0);
    CHECK(db.query_integer("SELECT count(*) FROM screenshots") == 0);
    const auto kept = f.await(f.store->get_collection("c"));
    REQUIRE(kept);
    CHECK(kept->total_requests() == 3);
}

TEST_CASE("retention removes a run bigger than one step, and stops early when cancelled",
          "[sqlite]") {
    SqliteFixture f;
    const auto collection = collection_of("c", 600);
    const auto run = run_of(collection, "r");
    f.await(f.store->put_collection(collection));
    REQUIRE(f.await(f.store->create_run(run, collection.requests)));
    auto completed = run;
    completed.status = RunStatus::completed;
    completed.finished_at = at_second(100);
    f.await(f.store->update_run(completed));

    // Cancelled before it starts: it answers (no exception) that nothing was removed, and the
    // run is found again next time.
    boost::asio::cancellation_signal cancel;
    std::exception_ptr failure;
    std::optional<std::int64_t> removed_when_cancelled;
    boost::asio::co_spawn(f.io, f.store->remove_runs_finished_before(at_second(200)),
                          boost::asio::bind_cancellation_slot(
                              cancel.slot(), [&](std::exception_ptr error, std::int64_t removed) {
                                  failure = error;
                                  removed_when_cancelled = removed;
                              }));
    cancel.emit(boost::asio::cancellation_type::terminal);
    f.io.restart();
    f.io.run();
    CHECK_FALSE(failure);
    CHECK(removed_when_cancelled == 0);
    CHECK(f.await(f.store->get_run("c", "r")));

    CHECK(f.await(f.store->remove_runs_finished_before(at_second(200))) == 1);
    CHECK_FALSE(f.await(f.store->get_run("c", "r")));
    CHECK(f.await(f.store->list_jobs("r", std::nullopt, {})).total == 0);
}

TEST_CASE("a notice still to deliver outlives the store, with the tries it has had", "[sqlite]") {
    SqliteFixture f;
    auto collection = collection_of("c", 1);
    collection.tenant = "acme";
    f.await(f.store->put_collection(collection));
    auto ended = run_of(collection, "ended");
    auto live = run_of(collection, "live");
    for (Run* run : {&ended, &live}) {
        run->tenant = "acme";
        run->callback_url = "https://hooks.example.test/" + run->run_id;
        run->callback_status = CallbackStatus::pending;
        REQUIRE(f.await(f.store->create_run(*run, collection.requests)));
    }
    ended.status = RunStatus::completed;
    ended.finished_at = at_second(40);
    f.await(f.store->update_run(ended));
    f.await(f.store->update_callback("ended", CallbackStatus::pending, 3, at_second(90)));

    f.reopen();

    // A run in progress has not ended: its notice is not due yet.
    const auto pending = f.await(f.store->pending_callbacks());
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].run.run_id == "ended");
    CHECK(pending[0].run.tenant == "acme");
    CHECK(pending[0].run.callback_url == "https://hooks.example.test/ended");
    CHECK(pending[0].run.status == RunStatus::completed);
    CHECK(pending[0].attempts == 3);
    CHECK(pending[0].next_try == at_second(90));

    f.await(f.store->update_callback("ended", CallbackStatus::failed, 8, std::nullopt));
    CHECK(f.await(f.store->pending_callbacks()).empty());
    CHECK(f.await(f.store->get_run("c", "ended"))->callback_status == CallbackStatus::failed);
}

TEST_CASE("a database from before tenants keeps its rows, owned by the open server's tenant",
          "[sqlite]") {
    SqliteFixture f;
    f.store.reset();
    {
        // Schema 3 with a collection and a run in it, as the previous release left them.
        SqliteConnection db(database_path(f), SQLITE_OPEN_READWRITE);
        db.execute(
            "DROP TABLE idempotent_replies; DROP TABLE runs; DROP TABLE jobs; "
            "DROP TABLE results; DROP TABLE screenshots; DROP TABLE requests; "
            "DROP TABLE request_sets; DROP TABLE collections; PRAGMA user_version = 0");
        const std::vector<Migration> before_tenants(schema_migrations().begin(),
                                                    schema_migrations().begin() + 3);
        REQUIRE_FALSE(migrate(db, before_tenants));
        db.execute(
            "INSERT INTO collections (id, name, request_set, created_at, updated_at) "
            "VALUES ('old', 'from before', 1, 0, 0);"
            "INSERT INTO request_sets (id, collection_id) VALUES (1, 'old');"
            "INSERT INTO runs (id, collection_id, request_set, status, total, success, failed, "
            "timeout, cancelled, created_at) VALUES ('r', 'old', 1, 'completed', 0, 0, 0, 0, 0, "
            "0)");
    }
    f.reopen();
    const auto collections = f.await(f.store->list_collections("", {}));
    REQUIRE(collections.total == 1);
    CHECK(collections.items[0].id == "old");
    const auto run = f.await(f.store->get_run("old", "r"));
    REQUIRE(run);
    CHECK(run->tenant.empty());
    CHECK_FALSE(run->callback_status);
}
