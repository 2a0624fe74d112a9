#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "support/mock_cluster.h"

namespace cdc::testing {

class FakeElasticsearch;

// --- Scale of the reliability suite: CDC_RELIABILITY_SCALE=quick (default, CI) or full. ---
enum class ReliabilityScale { kQuick, kFull };
ReliabilityScale CurrentScale();
const char* ScaleName();
template <typename T>
T ByScale(T quick, T full) {
  return CurrentScale() == ReliabilityScale::kFull ? full : quick;
}
// The seed of every random choice of a scenario: CDC_RELIABILITY_SEED, else drawn and printed
// so that a failing run can be replayed.
std::uint64_t ReliabilitySeed();

// One line of figures per scenario: `[reliability] crash: produced=100000 stored=100000 ...`,
// printed to stdout and appended to the file named by CDC_RELIABILITY_REPORT when set (the full
// variant, scripts/reliability, collects them from there).
class Figures {
 public:
  explicit Figures(std::string scenario) : line_("[reliability] " + std::move(scenario) + ":") {}
  Figures& Add(std::string_view key, std::int64_t value);
  Figures& Add(std::string_view key, std::string_view value);
  Figures& AddSeconds(std::string_view key, std::chrono::milliseconds d);
  Figures& AddMiB(std::string_view key, std::int64_t kib);
  void Print() const;
  const std::string& line() const { return line_; }

 private:
  std::string line_;
};

// --- The workload: canal-json row changes, keyed and compressed, with a log of where each ---
// --- landed (partition, offset), so that stored documents and offsets can be checked exactly. ---

// One row change of appdb.<table> as TiCDC's canal-json protocol writes it. Columns: id (pk),
// seq (the row change's number in the scenario: the unique field the checks look for),
// password (redacted by the consumer's default patterns; tests put sentinels in it), note.
struct RowChange {
  std::int64_t seq = 0;
  std::string database = "appdb";
  std::string table = "orders";
  std::string type = "INSERT";  // INSERT | UPDATE | DELETE
  std::int64_t commit_ms = 0;   // physical part of commitTs, and `es`
  std::int64_t ts_ms = 0;       // canal `ts` (TiCDC's send time; differs on a re-send)
  std::string password;
  std::string note;             // filler (may be large, for oversized documents)
  bool password_is_pk = false;  // pkNames ["password"]: a redacted primary key
};
std::string RowChangeJson(const RowChange& row);

// The value of the record at (partition, offset) as far as the checks care: a row change seq, or
// kPoison for a record that must end up in the dead-letter topic.
inline constexpr std::int64_t kPoison = -1;

class Workload {
 public:
  // `idempotent_producer` off for scenarios that move partition leaders: across a leader move
  // the mock cluster of librdkafka 2.0.2 acknowledged records of the idempotent producer that it
  // never appended (docs/reliability.md, F5). Without idempotence a retry may append a
  // record twice instead, which the checks allow: the store counts distinct rows, and offsets
  // need only reach what was sent.
  Workload(std::string bootstraps, std::string topic, int partitions,
           std::string compression = "zstd", bool idempotent_producer = true);

  // Produces row changes seq = rows()..rows()+count-1 (a new row each), seq % partitions picks
  // the partition. `customize` may change a row before it is written (sentinels, sizes).
  // `before_send` sees each row and its JSON before it is produced (to register faults by id
  // before the consumer can read the record).
  bool ProduceRows(
      std::int64_t count, std::int64_t commit_ms,
      const std::function<void(RowChange&)>& customize = {},
      const std::function<void(const RowChange&, const std::string&)>& before_send = {});
  // Produces the same row changes again (TiCDC re-send after a changefeed restart): same
  // commitTs, pk and values, a new `ts`, to the same partitions at later offsets.
  bool ResendRows(std::int64_t first_seq, std::int64_t count, std::int64_t ts_shift_ms);
  // A record that the consumer must dead-letter (undecodable bytes).
  bool ProducePoison(std::int32_t partition, std::string_view value);
  bool Flush();

  int partitions() const { return partitions_; }
  bool idempotent_producer() const { return idempotent_producer_; }
  const std::string& topic() const { return topic_; }
  std::int64_t rows() const { return static_cast<std::int64_t>(rows_.size()); }
  std::int64_t records() const;  // every record produced, poison and re-sends included
  std::int64_t poison() const { return poison_; }
  const RowChange& row(std::int64_t seq) const { return rows_[static_cast<std::size_t>(seq)]; }
  // What each partition holds, in offset order (offset = index): a seq or kPoison.
  const std::vector<std::vector<std::int64_t>>& log() const { return log_; }
  std::vector<std::int64_t> ExpectedHighs() const;
  std::vector<std::string> AllJson() const;  // the JSON of each distinct row change, by seq

  // The broker kept everything: every partition's low watermark is 0 and its high watermark is
  // the number of records produced to it. Returns the number of partitions that dropped data
  // (low > 0); `mismatch` counts partitions whose high watermark differs from what was produced.
  struct BrokerCheck {
    int dropped_partitions = 0;
    // Partitions holding other than what was sent; with a producer that is not idempotent, only
    // those holding less (a retry may append a record twice).
    int mismatched_partitions = 0;
    std::int64_t low_watermark_sum = 0;
    std::int64_t high_watermark_sum = 0;
  };
  BrokerCheck CheckBroker() const;

 private:
  bool Send(std::int32_t partition, const std::string& key, const std::string& value,
            std::int64_t seq);

  std::string bootstraps_;
  std::string topic_;
  int partitions_;
  bool idempotent_producer_;
  std::unique_ptr<TestProducer> producer_;
  std::vector<RowChange> rows_;
  std::vector<std::vector<std::int64_t>> log_;
  std::int64_t poison_ = 0;
};

// --- Checks of what the fake Elasticsearch holds. ---
struct StoreReport {
  std::int64_t expected = 0;    // distinct row changes that must be stored
  std::int64_t documents = 0;   // documents in the store
  std::int64_t missing = 0;     // expected row changes with no document
  std::int64_t extra = 0;       // documents beyond one per expected row change (duplicates of a
                                // row change under another id, or rows never expected)
  std::int64_t unreadable = 0;  // documents without a readable data.seq
  std::string ToString() const;
};
// `expected`: the seqs that must each be stored exactly once.
StoreReport CheckStore(const FakeElasticsearch& es, const std::set<std::int64_t>& expected,
                       const std::string& index = "cdc-events");
std::set<std::int64_t> SeqRange(std::int64_t first, std::int64_t count);
// seq of a stored document source (data.seq), or -1.
std::int64_t SeqOfDocument(std::string_view source_json);

// The group's committed offsets equal `highs` on every partition.
bool CommittedAtLeast(const std::string& bootstraps, const std::string& group,
                      const std::string& topic, const std::vector<std::int64_t>& highs);
std::int64_t Sum(const std::vector<std::int64_t>& v);
std::int64_t CommittedSum(const std::map<std::int32_t, std::int64_t>& committed);
std::int64_t CommittedSum(const std::vector<std::int64_t>& committed);

// The committed offsets of a consumer group, read through one long-lived handle that never
// joins the group (cheap enough to poll). Test thread only.
class GroupOffsets {
 public:
  GroupOffsets(const std::string& bootstraps, const std::string& group, std::string topic,
               int partitions);
  ~GroupOffsets();
  GroupOffsets(const GroupOffsets&) = delete;
  GroupOffsets& operator=(const GroupOffsets&) = delete;
  // Per partition (-1: nothing committed); nullopt when the broker did not answer in time.
  std::optional<std::vector<std::int64_t>> Committed(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  // Every partition's committed offset is at least highs[p] (empty partitions need none).
  bool Reached(const std::vector<std::int64_t>& highs);

 private:
  std::string topic_;
  int partitions_;
  rd_kafka_t* rk_ = nullptr;
};

// --- Prometheus text scraped from the consumer. ---
// Sum of every sample of `name` (exact family name, no suffix), or 0.
double MetricSum(const std::string& scrape, std::string_view name);
// The label sets (the `{...}` text) of every sample of `name`.
std::vector<std::string> MetricSeries(const std::string& scrape, std::string_view name);

// --- The `cdc-consumer run` command line used by the scenarios. ---
struct ConsumerArgs {
  std::string brokers;
  std::string topic = "tidb-cdc";
  std::string group = "cdc-reliability";
  std::string dlq_topic = "tidb-cdc-dlq";
  std::string es_url;
  std::string index = "cdc-events";
  std::uint16_t http_port = 0;
  std::vector<std::string> extra;  // more flags, e.g. {"--es-retry-max", "2s"}
};
// run --brokers .. --topic .. --group .. --dlq-topic .. --es-url .. --index .. --listen
// 127.0.0.1:<port>, plus librdkafka settings suited to the mock cluster (6 s session timeout,
// 500 ms heartbeats, 50 ms fetch wait), plus `extra`.
std::vector<std::string> RunArgs(const ConsumerArgs& args);

// A directory for one scenario's child logs: $CDC_RELIABILITY_LOG_DIR/<name> or a temp dir.
std::string ScenarioLogDir(const std::string& name);

}  // namespace cdc::testing
