#include "store/sqlite_connection.hpp"

#include <unordered_map>

namespace asyncscrape {

void check_sqlite(sqlite3* db, int result) {
    if (result == SQLITE_OK || result == SQLITE_ROW || result == SQLITE_DONE) {
        return;
    }
    // The connection's message names the detail ("no such table: x"); without a connection, or
    // when it is about another call, the generic text for the code still names the cause.
    const bool message_is_ours = db != nullptr && sqlite3_errcode(db) == result;
    throw SqliteError(result & 0xff, message_is_ours ? sqlite3_errmsg(db) : sqlite3_errstr(result));
}

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
    sqlite3_stmt* statement = nullptr;
    check_sqlite(db, sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &statement, nullptr));
    statement_.reset(statement);
}

SqliteStatement& SqliteStatement::bind(int position, std::int64_t value) {
    check_sqlite(db_, sqlite3_bind_int64(statement_.get(), position, value));
    return *this;
}

SqliteStatement& SqliteStatement::bind(int position, double value) {
    check_sqlite(db_, sqlite3_bind_double(statement_.get(), position, value));
    return *this;
}

SqliteStatement& SqliteStatement::bind(int position, std::string_view text) {
    check_sqlite(db_, sqlite3_bind_text64(statement_.get(), position, text.data(), text.size(),
                                          SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
}

SqliteStatement& SqliteStatement::bind_blob(int position, std::string_view bytes) {
    check_sqlite(db_, sqlite3_bind_blob64(statement_.get(), position, bytes.data(), bytes.size(),
                                          SQLITE_TRANSIENT));
    return *this;
}

SqliteStatement& SqliteStatement::bind_null(int position) {
    check_sqlite(db_, sqlite3_bind_null(statement_.get(), position));
    return *this;
}

bool SqliteStatement::step() {
    const int result = sqlite3_step(statement_.get());
    if (result == SQLITE_ROW) {
        return true;
    }
    reset();
    check_sqlite(db_, result);
    return false;
}

void SqliteStatement::run() {
    while (step()) {
    }
}

void SqliteStatement::reset() {
    // The error of a failed step is also reported here; step() has already thrown it.
    sqlite3_reset(statement_.get());
    sqlite3_clear_bindings(statement_.get());
}

bool SqliteStatement::is_null(int column) const {
    return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
}

std::int64_t SqliteStatement::integer(int column) const {
    return sqlite3_column_int64(statement_.get(), column);
}

double SqliteStatement::real(int column) const {
    return sqlite3_column_double(statement_.get(), column);
}

std::string SqliteStatement::text(int column) const {
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement_.get(), column));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), column));
    return bytes == nullptr ? std::string() : std::string(bytes, size);
}

std::optional<std::int64_t> SqliteStatement::optional_integer(int column) const {
    return is_null(column) ? std::nullopt : std::optional(integer(column));
}

std::optional<std::string> SqliteStatement::optional_text(int column) const {
    return is_null(column) ? std::nullopt : std::optional(text(column));
}

struct SqliteConnection::StatementCache {
    std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> by_text;
};

SqliteConnection::SqliteConnection(const std::string& path, int flags)
    : cache_(std::make_unique<StatementCache>()) {
    sqlite3* db = nullptr;
    const int result = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    db_.reset(db);
    check_sqlite(db, result);
    sqlite3_extended_result_codes(db, 0);
}

SqliteConnection::~SqliteConnection() = default;

SqliteConnection::SqliteConnection(SqliteConnection&&) noexcept = default;
SqliteConnection& SqliteConnection::operator=(SqliteConnection&&) noexcept = default;

void SqliteConnection::execute(std::string_view sql) {
    const std::string text(sql);
    check_sqlite(db_.get(), sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr));
}

SqliteStatement& SqliteConnection::prepare(std::string_view sql) {
    auto [slot, inserted] = cache_->by_text.try_emplace(std::string(sql));
    if (inserted) {
        try {
            slot->second = std::make_unique<SqliteStatement>(db_.get(), sql);
        } catch (...) {
            cache_->by_text.erase(slot);
            throw;
        }
    }
    return *slot->second;
}

std::int64_t SqliteConnection::query_integer(std::string_view sql) {
    SqliteStatement statement(db_.get(), sql);
    const std::int64_t value = statement.step() ? statement.integer(0) : 0;
    statement.reset();
    return value;
}

std::string SqliteConnection::query_text(std::string_view sql) {
    SqliteStatement statement(db_.get(), sql);
    std::string value = statement.step() ? statement.text(0) : std::string();
    statement.reset();
    return value;
}

std::int64_t SqliteConnection::changes() const {
    return sqlite3_changes64(db_.get());
}

bool SqliteConnection::in_transaction() const {
    return sqlite3_get_autocommit(db_.get()) == 0;
}

}  // namespace asyncscrape
