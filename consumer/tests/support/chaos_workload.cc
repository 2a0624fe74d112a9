#include "support/chaos_workload.h"

#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>

#include "fakes/fake_elasticsearch.h"

namespace cdc::testing {
namespace {

// JSON string escaping for the workload; bytes >= 0x80 pass through untouched, so that a test
// can write invalid UTF-8 on purpose (hostile table names).
std::string EscapeJson(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 8);
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

std::string RowImage(const RowChange& row, std::string_view note) {
  return R"({"id":")" + std::to_string(row.seq) + R"(","seq":")" + std::to_string(row.seq) +
         R"(","password":")" + EscapeJson(row.password) + R"(","note":")" + EscapeJson(note) +
         R"("})";
}

}  // namespace

ReliabilityScale CurrentScale() {
  const char* env = std::getenv("CDC_RELIABILITY_SCALE");
  return env != nullptr && std::string_view(env) == "full" ? ReliabilityScale::kFull
                                                           : ReliabilityScale::kQuick;
}

const char* ScaleName() { return CurrentScale() == ReliabilityScale::kFull ? "full" : "quick"; }

std::uint64_t ReliabilitySeed() {
  static const std::uint64_t seed = [] {
    const char* env = std::getenv("CDC_RELIABILITY_SEED");
    if (env != nullptr && *env != '\0')
      return static_cast<std::uint64_t>(std::strtoull(env, nullptr, 10));
    return static_cast<std::uint64_t>(std::random_device{}());
  }();
  return seed;
}

Figures& Figures::Add(std::string_view key, std::int64_t value) {
  return Add(key, std::to_string(value));
}

Figures& Figures::Add(std::string_view key, std::string_view value) {
  line_ += " ";
  line_ += key;
  line_ += "=";
  line_ += value;
  return *this;
}

Figures& Figures::AddSeconds(std::string_view key, std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1fs", static_cast<double>(d.count()) / 1000.0);
  return Add(key, std::string_view(buf));
}

Figures& Figures::AddMiB(std::string_view key, std::int64_t kib) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1fMiB", static_cast<double>(kib) / 1024.0);
  return Add(key, std::string_view(buf));
}

void Figures::Print() const {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::cout << line_ << std::endl;
  if (const char* path = std::getenv("CDC_RELIABILITY_REPORT"); path != nullptr && *path != '\0') {
    std::ofstream out(path, std::ios::app);
    out << line_ << " scale=" << ScaleName() << "\n";
  }
}

std::string RowChangeJson(const RowChange& row) {
  const bool update = row.type == "UPDATE";
  std::string out;
  out.reserve(520 + row.note.size() * (update ? 2 : 1) + row.table.size());
  out += R"({"id":0,"database":")" + EscapeJson(row.database) + R"(","table":")" +
         EscapeJson(row.table) + R"(","pkNames":[")" + (row.password_is_pk ? "password" : "id") +
         R"("],"isDdl":false,"type":")" + row.type + R"(","es":)" + std::to_string(row.commit_ms) +
         R"(,"ts":)" + std::to_string(row.ts_ms) + R"(,"sql":"",)";
  out += R"("sqlType":{"id":-5,"seq":-5,"password":12,"note":12},)";
  out += R"("mysqlType":{"note":"varchar","id":"bigint","password":"varchar","seq":"bigint"},)";
  out += R"("old":)";
  out += update ? "[" + RowImage(row, "before " + row.note) + "]" : std::string("null");
  out += R"(,"data":[)" + RowImage(row, row.note) + "],";
  out += R"("_tidb":{"commitTs":)" + std::to_string(TsoFromMs(row.commit_ms) + 7) + "}}\r\n";
  return out;
}

Workload::Workload(std::string bootstraps, std::string topic, int partitions,
                   std::string compression, bool idempotent_producer)
    : bootstraps_(std::move(bootstraps)),
      topic_(std::move(topic)),
      partitions_(partitions),
      idempotent_producer_(idempotent_producer),
      producer_(std::make_unique<TestProducer>(bootstraps_, compression, idempotent_producer)),
      log_(static_cast<std::size_t>(partitions)) {}

bool Workload::Send(std::int32_t partition, const std::string& key, const std::string& value,
                    std::int64_t seq) {
  if (!producer_->Produce(topic_, partition, key, value)) return false;
  log_[static_cast<std::size_t>(partition)].push_back(seq);
  return true;
}

bool Workload::ProduceRows(
    std::int64_t count, std::int64_t commit_ms, const std::function<void(RowChange&)>& customize,
    const std::function<void(const RowChange&, const std::string&)>& before_send) {
  for (std::int64_t i = 0; i < count; ++i) {
    RowChange row;
    row.seq = rows();
    // Mostly inserts; some updates and deletes so that ids cover every op.
    row.type = row.seq % 10 == 7 ? "UPDATE" : row.seq % 10 == 9 ? "DELETE" : "INSERT";
    row.commit_ms = commit_ms + row.seq / 100;
    row.ts_ms = row.commit_ms + 150;
    row.password = "pw-" + std::to_string(row.seq);
    row.note = "order " + std::to_string(row.seq) + " for customer " +
               std::to_string(row.seq % 977) + " status shipped";
    if (customize) customize(row);
    const auto partition = static_cast<std::int32_t>(row.seq % partitions_);
    const std::string key = row.database + "." + row.table + ":" + std::to_string(row.seq);
    const std::string json = RowChangeJson(row);
    if (before_send) before_send(row, json);
    if (!Send(partition, key, json, row.seq)) return false;
    rows_.push_back(std::move(row));
  }
  return true;
}

bool Workload::ResendRows(std::int64_t first_seq, std::int64_t count, std::int64_t ts_shift_ms) {
  for (std::int64_t seq = first_seq; seq < first_seq + count && seq < rows(); ++seq) {
    RowChange again = rows_[static_cast<std::size_t>(seq)];
    again.ts_ms += ts_shift_ms;
    const auto partition = static_cast<std::int32_t>(seq % partitions_);
    const std::string key = again.database + "." + again.table + ":" + std::to_string(seq);
    if (!Send(partition, key, RowChangeJson(again), seq)) return false;
  }
  return true;
}

bool Workload::ProducePoison(std::int32_t partition, std::string_view value) {
  if (!Send(partition, "poison", std::string(value), kPoison)) return false;
  ++poison_;
  return true;
}

bool Workload::Flush() { return producer_->Flush(std::chrono::milliseconds(120000)); }

std::int64_t Workload::records() const {
  std::int64_t n = 0;
  for (const auto& p : log_) n += static_cast<std::int64_t>(p.size());
  return n;
}

std::vector<std::int64_t> Workload::ExpectedHighs() const {
  std::vector<std::int64_t> highs;
  for (const auto& p : log_) highs.push_back(static_cast<std::int64_t>(p.size()));
  return highs;
}

std::vector<std::string> Workload::AllJson() const {
  std::vector<std::string> out;
  out.reserve(rows_.size());
  for (const RowChange& row : rows_) out.push_back(RowChangeJson(row));
  return out;
}

Workload::BrokerCheck Workload::CheckBroker() const {
  BrokerCheck check;
  for (int p = 0; p < partitions_; ++p) {
    auto marks = QueryWatermarks(bootstraps_, topic_, p);
    if (!marks) {
      ++check.mismatched_partitions;
      continue;
    }
    check.low_watermark_sum += marks->low;
    check.high_watermark_sum += marks->high;
    if (marks->low != 0) ++check.dropped_partitions;
    const auto sent = static_cast<std::int64_t>(log_[static_cast<std::size_t>(p)].size());
    if (marks->high < sent || (idempotent_producer_ && marks->high != sent)) {
      ++check.mismatched_partitions;
    }
  }
  return check;
}

std::string StoreReport::ToString() const {
  return "expected=" + std::to_string(expected) + " documents=" + std::to_string(documents) +
         " missing=" + std::to_string(missing) + " extra=" + std::to_string(extra) +
         " unreadable=" + std::to_string(unreadable);
}

std::int64_t SeqOfDocument(std::string_view source_json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(source_json.data(), source_json.size()).get(doc)) return -1;
  simdjson::dom::element seq;
  if (doc["data"]["seq"].get(seq)) return -1;
  std::string_view text;
  if (seq.get_string().get(text) == simdjson::SUCCESS) {
    return std::strtoll(std::string(text).c_str(), nullptr, 10);
  }
  std::int64_t n = 0;
  if (seq.get_int64().get(n) == simdjson::SUCCESS) return n;
  std::uint64_t u = 0;
  if (seq.get_uint64().get(u) == simdjson::SUCCESS) return static_cast<std::int64_t>(u);
  return -1;
}

StoreReport CheckStore(const FakeElasticsearch& es, const std::set<std::int64_t>& expected,
                       const std::string& index) {
  StoreReport report;
  report.expected = static_cast<std::int64_t>(expected.size());
  std::map<std::int64_t, std::int64_t> seen;
  const std::vector<std::string> ids = es.DocumentIds();
  report.documents = static_cast<std::int64_t>(ids.size());
  for (const std::string& id : ids) {
    auto source = es.Document(index, id);
    const std::int64_t seq = source ? SeqOfDocument(*source) : -1;
    if (seq < 0) {
      ++report.unreadable;
      ++report.extra;
      continue;
    }
    if (!expected.contains(seq) || ++seen[seq] > 1) ++report.extra;
  }
  for (std::int64_t seq : expected) {
    if (!seen.contains(seq)) ++report.missing;
  }
  return report;
}

std::set<std::int64_t> SeqRange(std::int64_t first, std::int64_t count) {
  std::set<std::int64_t> out;
  for (std::int64_t s = first; s < first + count; ++s) out.insert(out.end(), s);
  return out;
}

bool CommittedAtLeast(const std::string& bootstraps, const std::string& group,
                      const std::string& topic, const std::vector<std::int64_t>& highs) {
  auto committed = CommittedOffsets(bootstraps, group, topic, static_cast<int>(highs.size()));
  for (std::size_t p = 0; p < highs.size(); ++p) {
    auto it = committed.find(static_cast<std::int32_t>(p));
    const std::int64_t have = it == committed.end() ? -1 : it->second;
    // Nothing to commit on an empty partition; otherwise the committed offset must reach it.
    if (highs[p] == 0 && have < 0) continue;
    if (have < highs[p]) return false;
  }
  return true;
}

std::int64_t Sum(const std::vector<std::int64_t>& v) {
  std::int64_t s = 0;
  for (std::int64_t x : v) s += x;
  return s;
}

std::int64_t CommittedSum(const std::map<std::int32_t, std::int64_t>& committed) {
  std::int64_t s = 0;
  for (const auto& [p, offset] : committed) s += offset > 0 ? offset : 0;
  return s;
}

GroupOffsets::GroupOffsets(const std::string& bootstraps, const std::string& group,
                           std::string topic, int partitions)
    : topic_(std::move(topic)), partitions_(partitions) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[256];
  // Quiet: the scenarios take brokers down on purpose.
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof(err));
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps.c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof(err));
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (rk_ == nullptr) rd_kafka_conf_destroy(conf);
}

GroupOffsets::~GroupOffsets() {
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

std::optional<std::vector<std::int64_t>> GroupOffsets::Committed(
    std::chrono::milliseconds timeout) {
  if (rk_ == nullptr) return std::nullopt;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions_);
  for (int p = 0; p < partitions_; ++p) rd_kafka_topic_partition_list_add(list, topic_.c_str(), p);
  std::optional<std::vector<std::int64_t>> out;
  if (rd_kafka_committed(rk_, list, static_cast<int>(timeout.count())) ==
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    out.emplace(static_cast<std::size_t>(partitions_), -1);
    for (int i = 0; i < list->cnt; ++i) {
      const auto& e = list->elems[i];
      if (e.err == RD_KAFKA_RESP_ERR_NO_ERROR && e.offset >= 0) {
        (*out)[static_cast<std::size_t>(e.partition)] = e.offset;
      }
    }
  }
  rd_kafka_topic_partition_list_destroy(list);
  return out;
}

bool GroupOffsets::Reached(const std::vector<std::int64_t>& highs) {
  auto committed = Committed();
  if (!committed) return false;
  for (std::size_t p = 0; p < highs.size() && p < committed->size(); ++p) {
    if (highs[p] > 0 && (*committed)[p] < highs[p]) return false;
  }
  return true;
}

std::int64_t CommittedSum(const std::vector<std::int64_t>& committed) {
  std::int64_t s = 0;
  for (std::int64_t offset : committed) s += offset > 0 ? offset : 0;
  return s;
}

std::vector<std::string> MetricSeries(const std::string& scrape, std::string_view name) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < scrape.size()) {
    std::size_t eol = scrape.find('\n', pos);
    if (eol == std::string::npos) eol = scrape.size();
    const std::string_view line(scrape.data() + pos, eol - pos);
    pos = eol + 1;
    if (line.empty() || line[0] == '#' || !line.starts_with(name)) continue;
    const char next = line.size() > name.size() ? line[name.size()] : '\0';
    if (next == '{') {
      // Label values may hold '}' inside quotes; the sample value follows the last "} ".
      const std::size_t close = line.rfind("} ");
      out.emplace_back(line.substr(name.size(), close == std::string_view::npos
                                                    ? std::string_view::npos
                                                    : close + 1 - name.size()));
    } else if (next == ' ') {
      out.emplace_back();
    }
  }
  return out;
}

double MetricSum(const std::string& scrape, std::string_view name) {
  double sum = 0;
  std::size_t pos = 0;
  while (pos < scrape.size()) {
    std::size_t eol = scrape.find('\n', pos);
    if (eol == std::string::npos) eol = scrape.size();
    const std::string line = scrape.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty() || line[0] == '#' || line.rfind(name, 0) != 0) continue;
    const char next = line.size() > name.size() ? line[name.size()] : '\0';
    if (next != '{' && next != ' ') continue;
    const std::size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    sum += std::atof(line.c_str() + space + 1);
  }
  return sum;
}

std::vector<std::string> RunArgs(const ConsumerArgs& a) {
  std::vector<std::string> args = {
      "run",
      "--brokers",
      a.brokers,
      "--topic",
      a.topic,
      "--group",
      a.group,
      "--dlq-topic",
      a.dlq_topic,
      "--es-url",
      a.es_url,
      "--index",
      a.index,
      "--listen",
      "127.0.0.1:" + std::to_string(a.http_port),
      // The mock waits session.timeout.ms - 1 s on membership changes: 6 s keeps scenarios
      // short while 500 ms heartbeats leave slack under sanitizers.
      "-X",
      "session.timeout.ms=6000",
      "-X",
      "heartbeat.interval.ms=500",
      "-X",
      "fetch.wait.max.ms=50",
  };
  // CDC_RELIABILITY_LOG_LEVEL=debug reproduces a failure with the consumer's debug logs.
  if (const char* level = std::getenv("CDC_RELIABILITY_LOG_LEVEL"); level != nullptr && *level) {
    args.insert(args.end(), {"--log-level", level});
  }
  args.insert(args.end(), a.extra.begin(), a.extra.end());
  return args;
}

std::string ScenarioLogDir(const std::string& name) {
  std::string base;
  if (const char* env = std::getenv("CDC_RELIABILITY_LOG_DIR"); env != nullptr && *env != '\0') {
    base = env;
  } else {
    base = (std::filesystem::temp_directory_path() / "cdc-reliability").string();
  }
  const std::string dir = base + "/" + name + "-" + std::to_string(::getpid());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return dir;
}

}  // namespace cdc::testing
