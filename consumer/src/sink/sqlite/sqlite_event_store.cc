#include "sink/sqlite/sqlite_event_store.h"

#include <cctype>

#include "sink/sqlite/json_text.h"

namespace cdc {
namespace {

// Fixed SQL only: every user-supplied value is a bound parameter. An empty filter matches all.
constexpr const char* kSelect =
    R"sql(SELECT e.id, e."database", e."table", e.op, e.commit_ts, e.event_time_ms,
                 e.ingested_ms, e.source_json FROM events e WHERE )sql";
constexpr const char* kFilters =
    R"sql((?2 = '' OR e."database" = ?2) AND (?3 = '' OR e."table" = ?3)
          AND (?4 = '' OR e.op = ?4) ORDER BY e.seq DESC LIMIT ?5)sql";
constexpr const char* kFtsFilter =
    "e.seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?1) AND ";

bool HasWordChar(std::string_view word) {
  for (const char c : word) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || std::isalnum(u)) return true;
  }
  return false;
}

void AppendRow(const SqliteStatement& row, std::string& out) {
  out += "{\"id\":";
  AppendJsonString(out, row.ColumnText(0));
  out += ",\"database\":";
  AppendJsonString(out, row.ColumnText(1));
  out += ",\"table\":";
  AppendJsonString(out, row.ColumnText(2));
  out += ",\"op\":";
  AppendJsonString(out, row.ColumnText(3));
  out += ",\"commit_ts\":";
  out += row.ColumnIsNull(4) ? "null" : std::to_string(row.ColumnInt64(4));
  out += ",\"event_time_ms\":" + std::to_string(row.ColumnInt64(5));
  out += ",\"ingested_ms\":" + std::to_string(row.ColumnInt64(6));
  out += ",\"doc\":";
  const std::string_view doc = row.ColumnText(7);
  // Documents are compact JSON objects by contract; anything else goes out as a string so the
  // array stays valid JSON.
  if (doc.size() >= 2 && doc.front() == '{' && doc.back() == '}') {
    out.append(doc);
  } else {
    AppendJsonString(out, doc);
  }
  out += '}';
}

}  // namespace

std::string FtsMatchExpression(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j > i && HasWordChar(text.substr(i, j - i))) words.push_back(text.substr(i, j - i));
    i = j;
  }
  std::string expr;
  for (std::size_t w = 0; w < words.size(); ++w) {
    if (w > 0) expr += ' ';
    expr += '"';
    for (const char c : words[w]) {
      if (c == '"') expr += '"';
      expr += c;
    }
    expr += '"';
    if (w + 1 == words.size()) expr += '*';
  }
  return expr;
}

Status SqliteEventStore::EnsureOpen() {
  if (db_ != nullptr) return Status::Ok();
  auto db = SqliteDb::Open(path_, SqliteDb::Mode::kReadOnly);
  if (!db) return db.error();
  db_ = std::move(*db);
  return Status::Ok();
}

Result<std::string> SqliteEventStore::QueryJson(const EventQuery& query) {
  const std::string match = FtsMatchExpression(query.q);
  // Text that holds no searchable word can match no document.
  if (!query.q.empty() && match.empty()) return std::string("[]");
  std::lock_guard lock(mu_);
  if (auto st = EnsureOpen(); !st.ok()) return Err(st);
  std::string sql = kSelect;
  if (!match.empty()) sql += kFtsFilter;
  sql += kFilters;
  auto stmt = db_->Prepare(sql);
  if (!stmt) return Err(stmt.error());
  Status st = match.empty() ? Status::Ok() : stmt->BindText(1, match);
  if (st.ok()) st = stmt->BindText(2, query.database);
  if (st.ok()) st = stmt->BindText(3, query.table);
  if (st.ok()) st = stmt->BindText(4, query.op);
  if (st.ok()) st = stmt->BindInt64(5, query.limit);
  if (!st.ok()) return Err(st);
  std::string out = "[";
  bool first = true;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    if (!first) out += ',';
    first = false;
    AppendRow(*stmt, out);
  }
  out += ']';
  return out;
}

Result<std::vector<EventCount>> SqliteEventStore::Counts() {
  std::lock_guard lock(mu_);
  if (auto st = EnsureOpen(); !st.ok()) return Err(st);
  auto stmt = db_->Prepare(
      R"sql(SELECT "database", "table", op, count(*) FROM events GROUP BY 1, 2, 3
            ORDER BY 1, 2, 3)sql");
  if (!stmt) return Err(stmt.error());
  std::vector<EventCount> counts;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    counts.push_back({std::string(stmt->ColumnText(0)), std::string(stmt->ColumnText(1)),
                      std::string(stmt->ColumnText(2)), stmt->ColumnInt64(3)});
  }
  return counts;
}

}  // namespace cdc
