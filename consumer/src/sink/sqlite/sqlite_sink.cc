#include "sink/sqlite/sqlite_sink.h"
#include "core/thread_name.h"

#include <simdjson.h>

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

namespace cdc {
namespace {

// `search_text` is what the FTS index sees: the document's values with JSON escapes undone, so
// that `<img` is found as `img` and not as the token `u003cimg`.
// `seq` is the rowid alias: it orders rows by arrival (newest first in queries) and is the
// stable rowid the external-content FTS index needs. `id` is the document id, unique, so a
// redelivered change hits INSERT OR IGNORE.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  "database" TEXT NOT NULL,
  "table" TEXT NOT NULL,
  op TEXT NOT NULL,
  commit_ts INTEGER,
  event_time_ms INTEGER NOT NULL,
  ingested_ms INTEGER NOT NULL,
  source_json TEXT NOT NULL,
  search_text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_ingested ON events(ingested_ms);
CREATE INDEX IF NOT EXISTS events_table_op ON events("table", op);
CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(
  search_text, content='events', content_rowid='seq');
CREATE TRIGGER IF NOT EXISTS events_fts_insert AFTER INSERT ON events BEGIN
  INSERT INTO events_fts(rowid, search_text) VALUES (new.seq, new.search_text);
END;
CREATE TRIGGER IF NOT EXISTS events_fts_delete AFTER DELETE ON events BEGIN
  INSERT INTO events_fts(events_fts, rowid, search_text)
    VALUES ('delete', old.seq, old.search_text);
END;
)sql";

constexpr const char* kInsert =
    R"sql(INSERT OR IGNORE INTO events (id, "database", "table", op, commit_ts, event_time_ms,
          ingested_ms, source_json, search_text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9))sql";

// Rows deleted per retention round, so that pruning a large backlog never holds the write lock
// for long; the next round continues.
constexpr std::int64_t kPruneChunk = 5000;
constexpr std::int64_t kAgePruneIntervalMs = 1000;
constexpr std::chrono::milliseconds kWriterBusyTimeout{250};

std::int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void AppendValues(simdjson::dom::element el, std::string& out) {
  switch (el.type()) {
    case simdjson::dom::element_type::OBJECT: {
      // Named, not iterated from a temporary: the range-for would outlive it.
      simdjson::dom::object object;
      if (el.get_object().get(object) != simdjson::SUCCESS) return;
      for (auto field : object) AppendValues(field.value, out);
      break;
    }
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array array;
      if (el.get_array().get(array) != simdjson::SUCCESS) return;
      for (auto item : array) AppendValues(item, out);
      break;
    }
    case simdjson::dom::element_type::STRING:
      out.append(el.get_string().value_unsafe());
      out.push_back(' ');
      break;
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      out.append(simdjson::to_string(el));
      out.push_back(' ');
      break;
    default:
      break;
  }
}

Status RunDelete(SqliteDb& db, const char* sql, std::int64_t arg, std::int64_t* deleted) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return stmt.error();
  if (auto st = stmt->BindInt64(1, arg); !st.ok()) return st;
  if (auto st = stmt->BindInt64(2, kPruneChunk); !st.ok()) return st;
  auto step = stmt->Step();
  if (!step) return step.error();
  *deleted += db.Changes();
  return Status::Ok();
}

}  // namespace

Status CreateEventSchema(SqliteDb& db) { return db.Exec(kSchema); }

std::string SearchText(std::string_view source_json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(simdjson::padded_string(source_json)).get(root) != simdjson::SUCCESS) {
    return std::string(source_json);  // not JSON after all: index it as it is
  }
  std::string out;
  out.reserve(source_json.size());
  AppendValues(root, out);
  return out;
}

SqliteSink::SqliteSink(SqliteSinkOptions options, AckSink* acks, Metrics* metrics)
    : options_(std::move(options)), acks_(acks), metrics_(metrics) {
  options_.max_batch_records = std::max<std::size_t>(options_.max_batch_records, 1);
  options_.max_queued_records = std::max(options_.max_queued_records, options_.max_batch_records);
}

SqliteSink::~SqliteSink() {
  if (worker_.joinable()) (void)Stop(std::chrono::milliseconds(0));
}

std::int64_t SqliteSink::NowMs() const {
  return options_.now_ms ? options_.now_ms() : SystemNowMs();
}

Status SqliteSink::Start() {
  if (worker_.joinable()) return Status::Internal("sqlite sink already started");
  auto db = SqliteDb::Open(options_.path, SqliteDb::Mode::kReadWriteCreate);
  if (!db) return db.error();
  // WAL lets the query connection read while this one writes; FULL makes a commit durable
  // before we acknowledge it (the offset is committed after our ack, so it must survive power
  // loss, not only a crash of the process).
  if (auto st = (*db)->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !st.ok()) {
    return st;
  }
  if (auto st = CreateEventSchema(**db); !st.ok()) return st;
  // The worker retries a busy database with its own backoff; a short wait inside SQLite keeps
  // Stop(deadline) from overrunning by much when another process holds the write lock.
  if (auto st = (*db)->SetBusyTimeout(kWriterBusyTimeout); !st.ok()) return st;
  auto insert = (*db)->Prepare(kInsert);
  if (!insert) return insert.error();
  db_ = std::move(*db);
  insert_ = std::move(*insert);
  healthy_ = true;
  if (metrics_ != nullptr) metrics_->SetSinkUp(true);
  worker_ = std::thread([this] {
    SetCurrentThreadName("cdc-sqlite");
    Run();
  });
  return Status::Ok();
}

Status SqliteSink::Healthcheck() {
  if (!worker_.joinable()) return Status::Internal("sqlite sink not running");
  if (!healthy_) return Status::Transient("sqlite sink: last transaction failed");
  return Status::Ok();
}

bool SqliteSink::TrySubmit(Batch& batch) {
  if (batch.empty()) return true;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !worker_.joinable()) return false;
    // An empty queue always takes the batch, so one oversized batch cannot wedge the caller.
    if (!queue_.empty() && queue_.size() + batch.size() > options_.max_queued_records) {
      return false;
    }
    for (auto& record : batch) queue_.push_back(std::move(record));
  }
  batch.clear();
  cv_.notify_all();
  return true;
}

Status SqliteSink::Stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      stop_deadline_ = std::chrono::steady_clock::now() + deadline;
    }
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  insert_ = SqliteStatement();
  db_.reset();
  if (metrics_ != nullptr) metrics_->SetSinkUp(false);
  std::lock_guard lock(mu_);
  if (!queue_.empty()) {
    return Status::Transient("sqlite sink stopped with " + std::to_string(queue_.size()) +
                             " records not written (not acknowledged)");
  }
  return Status::Ok();
}

bool SqliteSink::PastStopDeadline() {
  std::lock_guard lock(mu_);
  return stopping_ && std::chrono::steady_clock::now() >= stop_deadline_;
}

std::deque<SinkRecord> SqliteSink::NextBatch() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  if (!stopping_ && queue_.size() < options_.max_batch_records) {
    cv_.wait_for(lock, options_.linger,
                 [&] { return stopping_ || queue_.size() >= options_.max_batch_records; });
  }
  std::deque<SinkRecord> batch;
  if (stopping_ && std::chrono::steady_clock::now() >= stop_deadline_) return batch;
  const std::size_t n = std::min(queue_.size(), options_.max_batch_records);
  for (std::size_t i = 0; i < n; ++i) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void SqliteSink::Run() {
  for (;;) {
    std::deque<SinkRecord> batch = NextBatch();
    if (batch.empty()) return;  // stopping and drained, or past the stop deadline
    auto backoff = std::chrono::milliseconds(10);
    for (;;) {
      const Status st = WriteBatch(batch);
      if (st.ok()) break;
      healthy_ = false;
      if (metrics_ != nullptr) {
        metrics_->SetSinkUp(false);
        metrics_->CountSinkRetry();
      }
      if (PastStopDeadline()) {
        // Never acknowledged: put them back so Stop reports them; their offsets stay put.
        std::lock_guard lock(mu_);
        for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
        return;
      }
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, backoff,
                   [&] { return stopping_ && std::chrono::steady_clock::now() >= stop_deadline_; });
      backoff = std::min(backoff * 2, options_.max_retry_backoff);
    }
    if (!healthy_.exchange(true) && metrics_ != nullptr) metrics_->SetSinkUp(true);
    // Retention failures do not lose data (rows stay until the next round); retry later.
    (void)Prune(NowMs());
  }
}

Status SqliteSink::WriteBatch(std::deque<SinkRecord>& batch) {
  if (auto st = db_->Exec("BEGIN IMMEDIATE"); !st.ok()) return st;
  const std::int64_t now = NowMs();
  std::vector<bool> inserted(batch.size(), false);
  std::size_t i = 0;
  for (const SinkRecord& record : batch) {
    const Document& doc = record.doc;
    std::optional<std::int64_t> commit_ts;
    if (doc.commit_ts && *doc.commit_ts <= std::numeric_limits<std::int64_t>::max()) {
      commit_ts = static_cast<std::int64_t>(*doc.commit_ts);
    }
    Status st = insert_.BindText(1, doc.id);
    if (st.ok()) st = insert_.BindText(2, doc.database);
    if (st.ok()) st = insert_.BindText(3, doc.table);
    if (st.ok()) st = insert_.BindText(4, OpName(doc.op));
    if (st.ok()) st = insert_.BindOptionalInt64(5, commit_ts);
    if (st.ok()) st = insert_.BindInt64(6, doc.event_time_ms);
    if (st.ok()) st = insert_.BindInt64(7, now);
    if (st.ok()) st = insert_.BindText(8, doc.source_json);
    if (st.ok()) st = insert_.BindText(9, SearchText(doc.source_json));
    if (st.ok()) {
      auto step = insert_.Step();
      if (!step) st = step.error();
    }
    (void)insert_.Reset();
    if (!st.ok()) {
      (void)db_->Exec("ROLLBACK");
      return st;
    }
    inserted[i++] = db_->Changes() == 1;
  }
  if (auto st = db_->Exec("COMMIT"); !st.ok()) {
    (void)db_->Exec("ROLLBACK");
    return st;
  }
  // Committed: only now may the offsets behind these records advance.
  const std::int64_t acked_at = NowMs();
  // Counted before any acknowledgement, so whoever sees an offset move also sees its events.
  if (metrics_ != nullptr) {
    EventRunCounter events(metrics_);
    for (std::size_t j = 0; j < batch.size(); ++j) {
      if (!inserted[j]) continue;
      const Document& doc = batch[j].doc;
      events.Count(doc.database, doc.table, doc.op);
      metrics_->ObserveEndToEndSeconds(
          static_cast<double>(std::max<std::int64_t>(acked_at - doc.event_time_ms, 0)) / 1000.0);
    }
  }
  i = 0;
  for (const SinkRecord& record : batch) {
    if (!inserted[i++]) duplicate_rows_.fetch_add(1);
    acks_->Ack(record, DeliveryOutcome::kDelivered);
  }
  batch.clear();
  return Status::Ok();
}

Status SqliteSink::Prune(std::int64_t now) {
  std::int64_t deleted = 0;
  if (options_.max_rows > 0) {
    // seq grows by one per stored row and only the oldest rows are deleted, so the newest
    // max_rows rows are exactly those with seq > max(seq) - max_rows.
    Status st = RunDelete(*db_,
                          "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq <= "
                          "(SELECT max(seq) FROM events) - ?1 ORDER BY seq LIMIT ?2)",
                          options_.max_rows, &deleted);
    if (!st.ok()) return st;
  }
  if (options_.max_age.count() > 0 && now - last_prune_ms_ >= kAgePruneIntervalMs) {
    last_prune_ms_ = now;
    Status st = RunDelete(*db_,
                          "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE "
                          "ingested_ms < ?1 ORDER BY seq LIMIT ?2)",
                          now - options_.max_age.count(), &deleted);
    if (!st.ok()) return st;
  }
  pruned_rows_.fetch_add(deleted);
  return Status::Ok();
}

}  // namespace cdc
