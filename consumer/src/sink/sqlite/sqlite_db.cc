#include "sink/sqlite/sqlite_db.h"

#include <utility>

namespace cdc {

Status SqliteError(sqlite3* db, int rc, const char* what) {
  std::string msg = std::string("sqlite ") + what + ": " + sqlite3_errstr(rc);
  if (db != nullptr) {
    msg += " (";
    msg += sqlite3_errmsg(db);
    msg += ")";
  }
  // Busy, locked, full disk and I/O errors can pass; anything else (corrupt file, misuse, a
  // read-only database) needs a person.
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
      return Status::Transient(std::move(msg));
    default:
      return Status::Permanent(std::move(msg));
  }
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

Status SqliteStatement::Check(int rc, const char* what) const {
  if (rc == SQLITE_OK) return Status::Ok();
  return SqliteError(db_, rc, what);
}

Status SqliteStatement::BindText(int index, std::string_view value) {
  return Check(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      "bind text");
}

Status SqliteStatement::BindInt64(int index, std::int64_t value) {
  return Check(sqlite3_bind_int64(stmt_, index, value), "bind int");
}

Status SqliteStatement::BindNull(int index) {
  return Check(sqlite3_bind_null(stmt_, index), "bind null");
}

Status SqliteStatement::BindOptionalInt64(int index, std::optional<std::int64_t> value) {
  return value ? BindInt64(index, *value) : BindNull(index);
}

Result<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Err(SqliteError(db_, rc, "step"));
}

Status SqliteStatement::Reset() {
  sqlite3_clear_bindings(stmt_);
  // sqlite3_reset repeats the last step's error; that error was already reported by Step.
  sqlite3_reset(stmt_);
  return Status::Ok();
}

std::int64_t SqliteStatement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool SqliteStatement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string_view SqliteStatement::ColumnText(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, Mode mode) {
  const int flags = (mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw));  // closes `raw` even when open failed
  if (rc != SQLITE_OK) return Err(SqliteError(raw, rc, "open"));
  sqlite3_extended_result_codes(raw, 1);
  // A reader can meet the writer's checkpoint; wait briefly instead of failing the query.
  sqlite3_busy_timeout(raw, 2000);
  return db;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

Status SqliteDb::Exec(const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "exec");
  return Status::Ok();
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Err(SqliteError(db_, rc, "prepare"));
  }
  return SqliteStatement(db_, stmt);
}

Status SqliteDb::SetBusyTimeout(std::chrono::milliseconds timeout) {
  const int rc = sqlite3_busy_timeout(db_, static_cast<int>(timeout.count()));
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "busy timeout");
  return Status::Ok();
}

int SqliteDb::Changes() const { return sqlite3_changes(db_); }

}  // namespace cdc
