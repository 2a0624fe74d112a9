#include "local/feed_simulator.h"

#include <simdjson.h>

#include <fstream>
#include <thread>

#include "local/kafka_producer.h"
#include "sink/sqlite/json_text.h"

namespace cdc {
namespace {

using Clock = std::chrono::steady_clock;

// Sleeps until `when` in short steps, so a stop request is seen within ~50 ms.
void SleepUntil(Clock::time_point when, const std::atomic<bool>& stop) {
  while (!stop.load() && Clock::now() < when) {
    std::this_thread::sleep_for(
        std::min<Clock::duration>(when - Clock::now(), std::chrono::milliseconds(50)));
  }
}

// Spaces `units` of work `1/rate` seconds apart on a steady schedule that does not drift.
class Pacer {
 public:
  explicit Pacer(double rate) : rate_(rate), next_(Clock::now()) {}
  void Wait(std::int64_t units, const std::atomic<bool>& stop) {
    if (rate_ <= 0) return;
    next_ += std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(static_cast<double>(units) / rate_));
    // After a long stall (full queue), do not burst to catch up more than a second.
    next_ = std::max(next_, Clock::now() - std::chrono::seconds(1));
    SleepUntil(next_, stop);
  }

 private:
  double rate_;
  Clock::time_point next_;
};

Status ProduceAll(KafkaProducer& producer, const std::string& topic,
                  const std::vector<SimMessage>& messages, SimulatorReport& report) {
  for (const SimMessage& m : messages) {
    if (auto st = producer.Produce(topic, m.partition, m.value); !st.ok()) return st;
    ++report.messages;
    switch (m.kind) {
      case SimMessage::Kind::kWatermark:
        ++report.watermarks;
        break;
      case SimMessage::Kind::kDdl:
        ++report.ddl;
        ++report.by_table_op[m.database + "." + m.table + "." + m.op];
        break;
      case SimMessage::Kind::kDml:
        ++report.rows;
        ++report.by_table_op[m.database + "." + m.table + "." + m.op];
        break;
    }
  }
  return Status::Ok();
}

Status RunGenerated(const SimulatorOptions& options, std::int32_t partitions,
                    KafkaProducer& producer, const std::atomic<bool>& stop,
                    SimulatorReport& report) {
  FeedGenerator generator({.seed = options.seed != 0 ? options.seed
                                                     : static_cast<std::uint64_t>(
                                                           Clock::now().time_since_epoch().count()),
                           .partitions = partitions,
                           .ddl_every = options.ddl_every,
                           .hostile_every = options.hostile_every});
  Pacer pacer(options.rate);
  auto next_watermark = Clock::now();
  while (!stop.load() && (options.count <= 0 || report.rows < options.count)) {
    std::vector<SimMessage> txn = generator.NextTransaction();
    if (options.count > 0) {  // stop exactly at `count` rows
      const auto room = static_cast<std::size_t>(options.count - report.rows);
      if (txn.size() > room && txn[0].kind == SimMessage::Kind::kDml) txn.resize(room);
    }
    if (auto st = ProduceAll(producer, options.topic, txn, report); !st.ok()) return st;
    const bool after_ddl = txn.front().kind == SimMessage::Kind::kDdl;
    if (after_ddl || Clock::now() >= next_watermark) {
      if (auto st = ProduceAll(producer, options.topic, generator.Watermarks(), report); !st.ok()) {
        return st;
      }
      next_watermark = Clock::now() + options.watermark_interval;
    }
    pacer.Wait(static_cast<std::int64_t>(txn.size()), stop);
  }
  // A last watermark: everything produced is below it.
  return ProduceAll(producer, options.topic, generator.Watermarks(), report);
}

Status RunReplay(const SimulatorOptions& options, std::int32_t partitions, KafkaProducer& producer,
                 const std::atomic<bool>& stop, SimulatorReport& report) {
  std::ifstream in(options.replay_file, std::ios::binary);
  if (!in) return Status::InvalidConfig("cannot read replay file " + options.replay_file);
  Pacer pacer(options.rate);
  std::string line;
  std::int64_t lines = 0;
  while (!stop.load() && (options.count <= 0 || lines < options.count) && std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++lines;
    const std::int32_t partition = ReplayPartition(line, partitions);
    for (std::int32_t p = partition < 0 ? 0 : partition;
         p < (partition < 0 ? partitions : partition + 1); ++p) {
      if (auto st = producer.Produce(options.topic, p, line); !st.ok()) return st;
      ++report.messages;
      if (partition < 0) ++report.watermarks;
    }
    pacer.Wait(1, stop);
  }
  return Status::Ok();
}

}  // namespace

std::int32_t ReplayPartition(std::string_view line, std::int32_t partitions) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(line);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(obj) != simdjson::SUCCESS) {
    return 0;
  }
  std::string database, table, type;
  bool is_ddl = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return 0;
    std::string_view text;
    if (key == "database" && field.value().get_string().get(text) == simdjson::SUCCESS) {
      database = text;
    } else if (key == "table" && field.value().get_string().get(text) == simdjson::SUCCESS) {
      table = text;
    } else if (key == "type" && field.value().get_string().get(text) == simdjson::SUCCESS) {
      type = text;
    } else if (key == "isDdl") {
      bool b = false;
      if (field.value().get_bool().get(b) == simdjson::SUCCESS) is_ddl = b;
    }
  }
  if (is_ddl) return 0;
  if (type == "TIDB_WATERMARK") return -1;
  return TablePartition(database, table, partitions);
}

std::string SimulatorReport::ToJson() const {
  std::string out = "{\"messages\":" + std::to_string(messages) +
                    ",\"rows\":" + std::to_string(rows) + ",\"ddl\":" + std::to_string(ddl) +
                    ",\"watermarks\":" + std::to_string(watermarks) +
                    ",\"failed\":" + std::to_string(failed) + ",\"by_table_op\":{";
  bool first = true;
  for (const auto& [key, n] : by_table_op) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, key);
    out += ':' + std::to_string(n);
  }
  return out + "}}";
}

Result<SimulatorReport> RunFeedSimulator(const SimulatorOptions& options,
                                         const std::atomic<bool>& stop) {
  auto producer = KafkaProducer::Create(options.brokers);
  if (!producer) return Err(producer.error());
  auto partitions = (*producer)->PartitionCount(options.topic, std::chrono::seconds(15));
  if (!partitions) return Err(partitions.error());
  SimulatorReport report;
  Status st = options.replay_file.empty()
                  ? RunGenerated(options, *partitions, **producer, stop, report)
                  : RunReplay(options, *partitions, **producer, stop, report);
  // Bounded: after a stop request the broker may already be gone.
  const Status flushed = (*producer)->Flush(std::chrono::seconds(10));
  report.failed = (*producer)->failed();
  if (!st.ok()) return Err(st);
  if (!flushed.ok()) return Err(flushed);
  return report;
}

}  // namespace cdc
