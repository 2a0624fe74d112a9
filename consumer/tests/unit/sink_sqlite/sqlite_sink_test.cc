#include "sink/sqlite/sqlite_sink.h"

#include <gtest/gtest.h>

#include <atomic>

#include "sink/sqlite/sqlite_event_store.h"
#include "support/test_env.h"
#include "unit/sink_sqlite/sink_test_util.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
using testing::MakeRecord;
using testing::RecordingAcks;
using testing::TempDir;
using testing::WaitFor;

std::int64_t CountRows(const std::string& path) {
  SqliteEventStore store(path);
  auto counts = store.Counts();
  EXPECT_TRUE(counts.has_value());
  std::int64_t total = 0;
  if (counts) {
    for (const auto& c : *counts) total += c.count;
  }
  return total;
}

// A metric line of cdc_events_total for one table and op, or -1 when absent.
double EventsMetric(Metrics& metrics, const std::string& table, const std::string& op) {
  const std::string text = metrics.Serialize();
  std::size_t pos = 0;
  while ((pos = text.find("cdc_events_total{", pos)) != std::string::npos) {
    const std::size_t end = text.find('\n', pos);
    const std::string line = text.substr(pos, end - pos);
    if (line.find("table=\"" + table + "\"") != std::string::npos &&
        line.find("op=\"" + op + "\"") != std::string::npos) {
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
    pos = end;
  }
  return -1;
}

class SqliteSinkTest : public ::testing::Test {
 protected:
  SqliteSinkOptions Options() {
    SqliteSinkOptions o;
    o.path = dir_.File("events.db");
    o.linger = 5ms;
    return o;
  }
  TempDir dir_;
  RecordingAcks acks_;
  Metrics metrics_;
};

TEST_F(SqliteSinkTest, AcknowledgesOnlyRowsAnotherConnectionCanAlreadySee) {
  SqliteSink sink(Options(), &acks_, &metrics_);
  ASSERT_TRUE(sink.Start().ok());
  SqliteEventStore reader(dir_.File("events.db"));
  std::atomic<int> invisible_at_ack{0};
  acks_.hook = [&](const SinkRecord& r) {
    EventQuery q;
    q.table = r.doc.table;
    q.limit = 500;
    auto json = reader.QueryJson(q);
    if (!json || json->find("\"" + r.doc.id + "\"") == std::string::npos) ++invisible_at_ack;
  };
  for (int i = 0; i < 5; ++i) {
    Batch batch;
    for (int j = 0; j < 20; ++j) {
      const int n = i * 20 + j;
      batch.push_back(MakeRecord("id-" + std::to_string(n), "users", Op::kInsert, "u", n));
    }
    ASSERT_TRUE(sink.TrySubmit(batch));
    EXPECT_TRUE(batch.empty());
  }
  ASSERT_TRUE(WaitFor([&] { return acks_.size() == 100; }, 10s));
  EXPECT_EQ(invisible_at_ack.load(), 0);
  EXPECT_EQ(CountRows(dir_.File("events.db")), 100);
  EXPECT_EQ(EventsMetric(metrics_, "users", "insert"), 100);
  EXPECT_NE(metrics_.Serialize().find("cdc_end_to_end_latency_seconds_count 100"),
            std::string::npos);
  EXPECT_TRUE(sink.Stop(2s).ok());
}

TEST_F(SqliteSinkTest, RedeliveredDocumentIsAcknowledgedButStoredAndCountedOnce) {
  SqliteSink sink(Options(), &acks_, &metrics_);
  ASSERT_TRUE(sink.Start().ok());
  Batch first{MakeRecord("same-id", "users", Op::kUpdate, "v1", 1)};
  ASSERT_TRUE(sink.TrySubmit(first));
  ASSERT_TRUE(WaitFor([&] { return acks_.size() == 1; }, 5s));
  // TiCDC re-sends the same change at a later offset: same document id.
  Batch again{MakeRecord("same-id", "users", Op::kUpdate, "v1", 7),
              MakeRecord("same-id", "users", Op::kUpdate, "v1", 8)};
  ASSERT_TRUE(sink.TrySubmit(again));
  ASSERT_TRUE(WaitFor([&] { return acks_.size() == 3; }, 5s));
  EXPECT_EQ((std::vector<std::int64_t>{1, 7, 8}), acks_.Offsets());
  EXPECT_EQ(CountRows(dir_.File("events.db")), 1);
  EXPECT_EQ(sink.duplicate_rows(), 2);
  EXPECT_EQ(EventsMetric(metrics_, "users", "update"), 1);
  EXPECT_TRUE(sink.Stop(2s).ok());
}

TEST_F(SqliteSinkTest, RetentionKeepsTheNewestMaxRows) {
  auto options = Options();
  options.max_rows = 10;
  SqliteSink sink(options, &acks_, &metrics_);
  ASSERT_TRUE(sink.Start().ok());
  for (int i = 0; i < 25; ++i) {
    Batch b{MakeRecord("r" + std::to_string(i), "orders", Op::kInsert, "x", i)};
    ASSERT_TRUE(sink.TrySubmit(b));
  }
  ASSERT_TRUE(WaitFor([&] { return acks_.size() == 25; }, 10s));
  ASSERT_TRUE(sink.Stop(2s).ok());
  EXPECT_EQ(CountRows(dir_.File("events.db")), 10);
  SqliteEventStore store(dir_.File("events.db"));
  auto json = store.QueryJson(EventQuery{.limit = 500});
  ASSERT_TRUE(json.has_value());
  EXPECT_NE(json->find("\"r24\""), std::string::npos);
  EXPECT_NE(json->find("\"r15\""), std::string::npos);
  EXPECT_EQ(json->find("\"r14\""), std::string::npos);
  EXPECT_EQ(sink.pruned_rows(), 15);
}

TEST_F(SqliteSinkTest, RetentionDropsRowsOlderThanMaxAge) {
  std::atomic<std::int64_t> now{1'000'000};
  auto options = Options();
  options.max_age = 1h;
  options.now_ms = [&] { return now.load(); };
  SqliteSink sink(options, &acks_, &metrics_);
  ASSERT_TRUE(sink.Start().ok());
  Batch old_rows{MakeRecord("old1", "users", Op::kInsert, "a", 1),
                 MakeRecord("old2", "users", Op::kInsert, "b", 2)};
  ASSERT_TRUE(sink.TrySubmit(old_rows));
  ASSERT_TRUE(WaitFor([&] { return acks_.size() == 2; }, 5s));
  now += std::chrono::milliseconds(2h).count();
  Batch fresh{MakeRecord("new1", "users", Op::kInsert, "c", 3)};
  ASSERT_TRUE(sink.TrySubmit(fresh));
  ASSERT_TRUE(WaitFor([&] { return acks_.size() == 3; }, 5s));
  ASSERT_TRUE(sink.Stop(2s).ok());
  EXPECT_EQ(CountRows(dir_.File("events.db")), 1);
  EXPECT_EQ(sink.pruned_rows(), 2);
}

// Holds the write lock from another connection, so the sink's transactions cannot commit.
class WriteBlocker {
 public:
  explicit WriteBlocker(const std::string& path) {
    auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
    EXPECT_TRUE(db.has_value());
    db_ = std::move(*db);
    EXPECT_TRUE(db_->Exec("BEGIN IMMEDIATE").ok());
  }
  void Release() { EXPECT_TRUE(db_->Exec("ROLLBACK").ok()); }

 private:
  std::unique_ptr<SqliteDb> db_;
};

TEST_F(SqliteSinkTest, TrySubmitRefusesPastTheQueueBoundAndNothingIsAckedBeforeCommit) {
  auto options = Options();
  options.max_batch_records = 2;
  options.max_queued_records = 6;
  SqliteSink sink(options, &acks_, &metrics_);
  ASSERT_TRUE(sink.Start().ok());
  WriteBlocker blocker(options.path);
  int accepted = 0;
  bool refused = false;
  for (int i = 0; i < 50 && !refused; ++i) {
    Batch b{MakeRecord("q" + std::to_string(i), "users", Op::kInsert, "x", i)};
    if (sink.TrySubmit(b)) {
      ++accepted;
    } else {
      refused = true;
      EXPECT_EQ(b.size(), 1u) << "a refused batch stays with the caller";
    }
  }
  EXPECT_TRUE(refused);
  // The worker holds at most one batch (2) and the queue at most 6.
  EXPECT_LE(accepted, 8);
  EXPECT_GE(accepted, 6);
  EXPECT_EQ(acks_.size(), 0u);
  // The writer gives up waiting for the lock after its busy timeout and reports unhealthy.
  EXPECT_TRUE(WaitFor([&] { return !sink.Healthcheck().ok(); }, 10s));
  EXPECT_EQ(acks_.size(), 0u);
  blocker.Release();
  ASSERT_TRUE(WaitFor([&] { return acks_.size() == static_cast<std::size_t>(accepted); }, 20s));
  EXPECT_TRUE(WaitFor([&] { return sink.Healthcheck().ok(); }, 5s));
  EXPECT_TRUE(sink.Stop(2s).ok());
  EXPECT_EQ(CountRows(options.path), accepted);
}

TEST_F(SqliteSinkTest, StopFlushesWhatWasAcceptedThenRefusesMore) {
  auto options = Options();
  options.linger = 500ms;  // the rows are still lingering when Stop comes
  SqliteSink sink(options, &acks_, &metrics_);
  ASSERT_TRUE(sink.Start().ok());
  Batch b{MakeRecord("s1", "users", Op::kDelete, "x", 1),
          MakeRecord("s2", "users", Op::kDelete, "y", 2)};
  ASSERT_TRUE(sink.TrySubmit(b));
  EXPECT_TRUE(sink.Stop(5s).ok());
  EXPECT_EQ(acks_.size(), 2u);
  Batch late{MakeRecord("s3", "users", Op::kDelete, "z", 3)};
  EXPECT_FALSE(sink.TrySubmit(late));
  EXPECT_EQ(late.size(), 1u);
  EXPECT_FALSE(sink.Healthcheck().ok());
}

TEST_F(SqliteSinkTest, StopAtItsDeadlineLeavesUncommittedRecordsUnacknowledged) {
  auto options = Options();
  SqliteSink sink(options, &acks_, &metrics_);
  ASSERT_TRUE(sink.Start().ok());
  WriteBlocker blocker(options.path);
  Batch b{MakeRecord("d1", "users", Op::kInsert, "x", 1)};
  ASSERT_TRUE(sink.TrySubmit(b));
  const auto started = std::chrono::steady_clock::now();
  const Status st = sink.Stop(200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - started, testing::Scaled(1500ms))
      << "Stop keeps close to its deadline even while SQLite waits for a lock";
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(acks_.size(), 0u);
  blocker.Release();
  EXPECT_EQ(CountRows(options.path), 0);
}

TEST_F(SqliteSinkTest, StartFailsCleanlyOnAnUnwritablePath) {
  auto options = Options();
  options.path = dir_.File("missing-dir/events.db");
  SqliteSink sink(options, &acks_, &metrics_);
  const Status st = sink.Start();
  EXPECT_FALSE(st.ok());
  Batch b{MakeRecord("x", "users", Op::kInsert, "x", 1)};
  EXPECT_FALSE(sink.TrySubmit(b));
}

}  // namespace
}  // namespace cdc
