#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cdc {

// A prepared statement (RAII over sqlite3_stmt). Every call reports failure as a Status whose
// message names the SQLite error, never a bound value. Used by the one thread that owns the
// connection it was prepared on.
class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameter indexes start at 1, as in sqlite3_bind_*. Text is copied (SQLITE_TRANSIENT) so
  // the caller's buffer may go away before Step.
  Status BindText(int index, std::string_view value);
  Status BindInt64(int index, std::int64_t value);
  Status BindNull(int index);
  Status BindOptionalInt64(int index, std::optional<std::int64_t> value);

  // true while a row is available, false when the statement is done.
  Result<bool> Step();
  // Clears bindings and rewinds, so the statement can run again.
  Status Reset();

  std::int64_t ColumnInt64(int column) const;
  bool ColumnIsNull(int column) const;
  std::string_view ColumnText(int column) const;

 private:
  Status Check(int rc, const char* what) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// One SQLite connection (RAII over sqlite3*). A connection is used by one thread at a time: the
// sink's writer thread owns the read-write one; queries use their own read-only one, so readers
// never block the writer (WAL mode).
class SqliteDb {
 public:
  enum class Mode { kReadWriteCreate, kReadOnly };

  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, Mode mode);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements that take no parameters and return no rows.
  Status Exec(const char* sql);
  Result<SqliteStatement> Prepare(std::string_view sql);
  // How long a statement waits for another connection's lock before failing with SQLITE_BUSY
  // (2 s after Open).
  Status SetBusyTimeout(std::chrono::milliseconds timeout);
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int Changes() const;
  sqlite3* handle() { return db_; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}

  sqlite3* db_;
};

// Formats a failed call as "<what>: <sqlite error name> (<code>)". SQLite's own messages can
// quote SQL but never bound values, and we only pass our own SQL text, so they stay value-free.
Status SqliteError(sqlite3* db, int rc, const char* what);

}  // namespace cdc
