// A SQLite connection and its prepared statements as RAII values. Every failing call throws
// SqliteError with SQLite's own words for the cause ("database or disk is full"), so that the
// code above reads as a straight sequence of statements.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace asyncscrape {

class SqliteError : public std::runtime_error {
  public:
    SqliteError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const noexcept { return code_; }  // the primary result code (SQLITE_FULL, ...)

  private:
    int code_;
};

class SqliteStatement {
  public:
    SqliteStatement(sqlite3* db, std::string_view sql);

    // Binding by position, from 1 as in SQL. An empty optional binds NULL.
    SqliteStatement& bind(int position, std::int64_t value);
    SqliteStatement& bind(int position, double value);
    SqliteStatement& bind(int position, std::string_view text);
    SqliteStatement& bind_blob(int position, std::string_view bytes);
    SqliteStatement& bind_null(int position);
    template <class T>
    SqliteStatement& bind(int position, const std::optional<T>& value) {
        return value ? bind(position, *value) : bind_null(position);
    }

    // Advances to the next row; false when there is none. The statement resets itself when done.
    bool step();
    // Runs a statement that returns no rows and resets it for the next use.
    void run();
    void reset();

    bool is_null(int column) const;
    std::int64_t integer(int column) const;
    double real(int column) const;
    std::string text(int column) const;  // also reads BLOBs
    std::optional<std::int64_t> optional_integer(int column) const;
    std::optional<std::string> optional_text(int column) const;

  private:
    struct Finalize {
        void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
    };
    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, Finalize> statement_;
};

class SqliteConnection {
  public:
    // `flags` as for sqlite3_open_v2 (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, ...).
    SqliteConnection(const std::string& path, int flags);

    // Runs one or more statements that return no rows.
    void execute(std::string_view sql);
    // Prepares a statement, or finds the one prepared earlier for the same text: the statements a
    // store runs over and over are compiled once per connection.
    SqliteStatement& prepare(std::string_view sql);
    // The single value of a one-row query (a PRAGMA or a count).
    std::int64_t query_integer(std::string_view sql);
    std::string query_text(std::string_view sql);

    std::int64_t changes() const;  // rows changed by the last statement
    bool in_transaction() const;
    sqlite3* handle() const { return db_.get(); }

    ~SqliteConnection();
    SqliteConnection(SqliteConnection&&) noexcept;
    SqliteConnection& operator=(SqliteConnection&&) noexcept;

  private:
    struct Close {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    struct StatementCache;
    // The statements must be finalised before the connection closes: cache_ is declared after db_.
    std::unique_ptr<sqlite3, Close> db_;
    std::unique_ptr<StatementCache> cache_;
};

// Throws SqliteError for a result code other than SQLITE_OK, SQLITE_ROW and SQLITE_DONE.
void check_sqlite(sqlite3* db, int result);

}  // namespace asyncscrape
