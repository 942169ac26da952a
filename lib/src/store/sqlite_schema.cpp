#include "store/sqlite_schema.hpp"

#include <array>
#include <string>

namespace asyncscrape {
namespace {

// Version 1.
// - Times are nanoseconds since the Unix epoch; statuses are their wire spellings.
// - Rows of runs, jobs, results and screenshots refer to their run by its integer key (`seq`)
//   rather than repeating the 36-character id on each of a run's million rows.
// - A run's requests are a snapshot, a `request_set`, shared with the collection version it
//   started from: a hundred runs of a collection that was not changed in between refer to one
//   copy of its requests. One row per request keeps every row small.
// - Deleting a collection cascades to everything below it through the foreign keys.
constexpr std::string_view version_1 = R"sql(
CREATE TABLE collections (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    callback_url TEXT,
    request_set  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE TABLE request_sets (
    id            INTEGER PRIMARY KEY,
    collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE
);
CREATE INDEX request_sets_by_collection ON request_sets(collection_id);
CREATE TABLE requests (
    request_set INTEGER NOT NULL REFERENCES request_sets(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    request     TEXT NOT NULL,
    PRIMARY KEY (request_set, idx)
) WITHOUT ROWID;
CREATE TABLE runs (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    request_set   INTEGER NOT NULL REFERENCES request_sets(id),
    status        TEXT NOT NULL,
    total         INTEGER NOT NULL,
    success       INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    timeout       INTEGER NOT NULL,
    cancelled     INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER
);
CREATE INDEX runs_by_collection ON runs(collection_id, seq);
CREATE INDEX runs_by_status ON runs(status);
CREATE INDEX runs_by_request_set ON runs(request_set);
CREATE TABLE jobs (
    run         INTEGER NOT NULL REFERENCES runs(seq) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    id          TEXT NOT NULL,
    url         TEXT NOT NULL,
    custom_id   TEXT,
    status      TEXT NOT NULL,
    status_code INTEGER,
    attempts    INTEGER NOT NULL,
    error       TEXT,
    started_at  INTEGER,
    finished_at INTEGER,
    duration_ms INTEGER,
    PRIMARY KEY (run, idx)
) WITHOUT ROWID;
CREATE UNIQUE INDEX jobs_by_id ON jobs(run, id);
CREATE TABLE results (
    run         INTEGER NOT NULL REFERENCES runs(seq) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    status      TEXT NOT NULL,
    url         TEXT NOT NULL,
    final_url   TEXT NOT NULL,
    status_code INTEGER,
    headers     TEXT NOT NULL,
    body        BLOB NOT NULL,
    error       TEXT,
    timings     TEXT NOT NULL,
    actions     TEXT NOT NULL,
    screenshot  TEXT,
    custom_id   TEXT,
    UNIQUE (run, idx)
);
CREATE TABLE screenshots (
    run INTEGER NOT NULL REFERENCES runs(seq) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    png BLOB NOT NULL,
    UNIQUE (run, idx)
);
)sql";

// Version 2, for retention: the sweep finds ended runs by their end, and request sets that
// neither a collection nor a run refers to any more.
constexpr std::string_view version_2 = R"sql(
DROP INDEX runs_by_status;
CREATE INDEX runs_by_status_and_end ON runs(status, finished_at);
CREATE INDEX collections_by_request_set ON collections(request_set);
)sql";

// Version 3: a cancel is durable from its answer on. The run's end is written once its jobs in
// flight have stopped; a restart before that finds the request here and ends the run cancelled
// instead of resuming it.
constexpr std::string_view version_3 = R"sql(
ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 4, for a server shared by tenants:
// - every collection and run belongs to a tenant (rows from before belong to the open server's
//   tenant, "");
// - a run carries its webhook and how far the notice of its end got, so that a restart goes on
//   delivering it;
// - the first answer to each Idempotency-Key, kept for a day.
constexpr std::string_view version_4 = R"sql(
ALTER TABLE collections ADD COLUMN tenant TEXT NOT NULL DEFAULT '';
CREATE INDEX collections_by_tenant ON collections(tenant, seq);
ALTER TABLE runs ADD COLUMN tenant TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN callback_url TEXT;
ALTER TABLE runs ADD COLUMN callback_status TEXT;
ALTER TABLE runs ADD COLUMN callback_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN callback_next_try INTEGER;
CREATE INDEX runs_with_pending_callback ON runs(seq) WHERE callback_status = 'pending';
CREATE TABLE idempotent_replies (
    tenant         TEXT NOT NULL,
    key            TEXT NOT NULL,
    request_digest TEXT NOT NULL,
    status         INTEGER NOT NULL,
    body           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant, key)
) WITHOUT ROWID;
CREATE INDEX idempotent_replies_by_age ON idempotent_replies(created_at);
)sql";

constexpr std::array<Migration, 4> migrations{{{version_1}, {version_2}, {version_3}, {version_4}}};

}  // namespace

std::span<const Migration> schema_migrations() {
    return migrations;
}

std::optional<Error> migrate(SqliteConnection& db, std::span<const Migration> steps) {
    const auto known = static_cast<std::int64_t>(steps.size());
    const std::int64_t found = db.query_integer("PRAGMA user_version");
    if (found > known) {
        return unavailable("the database was written by a newer asyncscrape (schema " +
                           std::to_string(found) + ", this one knows " + std::to_string(known) +
                           ")");
    }
    for (std::int64_t version = found + 1; version <= known; ++version) {
        try {
            db.execute("BEGIN IMMEDIATE");
            db.execute(steps[static_cast<std::size_t>(version - 1)].sql);
            db.execute("PRAGMA user_version = " + std::to_string(version));
            db.execute("COMMIT");
        } catch (const SqliteError& failure) {
            if (db.in_transaction()) {
                db.execute("ROLLBACK");
            }
            return unavailable("upgrading the database to schema " + std::to_string(version) +
                               " failed: " + failure.what());
        }
    }
    return std::nullopt;
}

}  // namespace asyncscrape
