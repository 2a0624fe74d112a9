#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/sink_record.h"
#include "metrics/metrics.h"
#include "sink/sink.h"
#include "sink/sqlite/sqlite_db.h"

namespace cdc {

struct SqliteSinkOptions {
  std::string path;                   // the database file; created when missing
  std::int64_t max_rows = 1'000'000;  // retention by count (oldest rows pruned first); 0 = none
  std::chrono::milliseconds max_age = std::chrono::hours(24 * 7);  // by ingest age; 0 = none
  std::size_t max_batch_records = 1000;                            // rows per transaction
  std::chrono::milliseconds linger{20};     // how long a partial batch waits for more rows
  std::size_t max_queued_records = 20'000;  // TrySubmit returns false past this
  std::chrono::milliseconds max_retry_backoff{2000};
  // Wall clock in ms since the epoch (ingested_ms, retention, end-to-end latency); tests inject.
  std::function<std::int64_t()> now_ms{};
};

// The embedded store: documents go into one SQLite table (WAL mode) with an FTS5 index over
// the document text, written by one worker thread in batched transactions. INSERT OR IGNORE on
// the document id makes redelivered changes free. A record is acknowledged only after the
// transaction holding it has committed. Start/Healthcheck/TrySubmit/Stop are called from the
// pipeline thread; acknowledgements come from the worker thread. Queries go through
// SqliteEventStore, which opens its own read-only connection.
class SqliteSink final : public Sink {
 public:
  SqliteSink(SqliteSinkOptions options, AckSink* acks, Metrics* metrics);
  ~SqliteSink() override;

  Status Start() override;
  Status Healthcheck() override;
  [[nodiscard]] bool TrySubmit(Batch& batch) override;
  Status Stop(std::chrono::milliseconds deadline) override;

  // Rows removed by retention so far, and rows skipped because their id was already stored.
  std::int64_t pruned_rows() const { return pruned_rows_.load(); }
  std::int64_t duplicate_rows() const { return duplicate_rows_.load(); }

 private:
  void Run();
  // Takes up to max_batch_records from the queue, waiting for linger; empty when stopping.
  std::deque<SinkRecord> NextBatch();
  // One transaction: inserts, commits, then acknowledges. Keeps the rows on a failed commit.
  Status WriteBatch(std::deque<SinkRecord>& batch);
  Status Prune(std::int64_t now);
  bool PastStopDeadline();
  std::int64_t NowMs() const;

  SqliteSinkOptions options_;
  AckSink* acks_;
  Metrics* metrics_;

  std::unique_ptr<SqliteDb> db_;  // owned by the worker thread after Start
  SqliteStatement insert_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<SinkRecord> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_;
  std::thread worker_;

  std::atomic<bool> healthy_{false};
  std::atomic<std::int64_t> pruned_rows_{0};
  std::atomic<std::int64_t> duplicate_rows_{0};
  std::int64_t last_prune_ms_ = 0;
};

// Creates the events table, its indexes, the FTS5 index and the triggers keeping it in step.
// Idempotent. Exposed for tests that build a store by hand.
Status CreateEventSchema(SqliteDb& db);

// The text the full-text index holds for a document: every string and number value of the JSON,
// unescaped, separated by spaces (keys left out). Pure function, any thread.
std::string SearchText(std::string_view source_json);

}  // namespace cdc
