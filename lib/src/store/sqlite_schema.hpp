// The database schema as an ordered list of migration steps. PRAGMA user_version holds how many
// have been applied; opening applies the missing ones, each in its own transaction, and refuses a
// file written by a newer asyncscrape rather than guess at tables it does not know.
#pragma once

#include "store/sqlite_connection.hpp"

#include <asyncscrape/error.hpp>

#include <optional>
#include <span>
#include <string_view>

namespace asyncscrape {

struct Migration {
    std::string_view sql;  // the step from the previous version to this one
};

// Every step so far; schema version N is the state after steps[0..N-1].
std::span<const Migration> schema_migrations();

// Brings the database up to steps.size(); an error names the version found when it is newer
// or a step fails.
std::optional<Error> migrate(SqliteConnection& db, std::span<const Migration> steps);

}  // namespace asyncscrape
