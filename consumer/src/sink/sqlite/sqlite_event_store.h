#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "sink/sqlite/sqlite_db.h"

namespace cdc {

// A search over stored documents. Every field is optional; text fields are matched exactly
// except `q`, which is full-text (every word must appear, the last one as a prefix).
struct EventQuery {
  std::string q{};
  std::string database{};
  std::string table{};
  std::string op{};  // insert | update | delete | ddl
  int limit = 100;
};

struct EventCount {
  std::string database{};
  std::string table{};
  std::string op;
  std::int64_t count = 0;
};

// Read side of the embedded store: opens the database written by SqliteSink read-only, on its
// own connection, so queries never block the writer (WAL readers see the last commit). Opens
// lazily, so it can be created before the sink has made the file. Thread-safe: one mutex
// serialises queries on the connection (HTTP handler threads call it).
class SqliteEventStore {
 public:
  explicit SqliteEventStore(std::string path) : path_(std::move(path)) {}

  // The matching documents, newest first, as a JSON array of
  // {"id","database","table","op","commit_ts","event_time_ms","ingested_ms","doc":{...}}.
  Result<std::string> QueryJson(const EventQuery& query);
  // Stored rows per (database, table, op), sorted.
  Result<std::vector<EventCount>> Counts();

 private:
  Status EnsureOpen();

  std::string path_;
  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
};

// Turns user text into an FTS5 MATCH expression that can never be an FTS syntax error: each
// whitespace-separated word becomes a quoted string ("" doubles a quote), the last gets a
// prefix star. Words without a letter or digit are dropped (they hold no token). Returns ""
// when nothing searchable is left.
std::string FtsMatchExpression(std::string_view text);

}  // namespace cdc
