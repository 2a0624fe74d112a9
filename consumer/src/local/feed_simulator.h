#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "local/feed_generator.h"

namespace cdc {

struct SimulatorOptions {
  std::string brokers = "127.0.0.1:9092";
  std::string topic = "tidb-cdc";
  double rate = 50;           // row changes per second (replay: lines per second); <= 0: unpaced
  std::string replay_file{};  // when set, produce this file's lines instead of generating
  std::uint64_t seed = 0;     // 0: from the clock
  std::int64_t count = 0;     // stop after this many row changes (replay: lines); 0: until stopped
  std::chrono::milliseconds watermark_interval{1000};
  int ddl_every = 250;  // see FeedGeneratorOptions
  int hostile_every = 20;
};

// What a simulator run produced (printed as one JSON line at the end of `simulate`).
struct SimulatorReport {
  std::int64_t messages = 0;  // Kafka records produced, watermarks included
  std::int64_t rows = 0;      // row changes (generated mode)
  std::int64_t ddl = 0;
  std::int64_t watermarks = 0;  // watermark records (one per partition per tick)
  std::int64_t failed = 0;      // records librdkafka could not deliver
  std::map<std::string, std::int64_t> by_table_op;  // "appdb.users.insert" -> rows; ddl too
  std::string ToJson() const;
};

// Produces a TiCDC-like feed to `options.topic` until `stop` is set, `count` is reached or the
// replay file ends; then flushes. Paced with a steady clock; watermarks go to every partition
// every `watermark_interval` and after each DDL. Runs on the calling thread.
Result<SimulatorReport> RunFeedSimulator(const SimulatorOptions& options,
                                         const std::atomic<bool>& stop);

// Where a captured canal-json line goes: DDL to partition 0, a watermark to every partition
// (returns -1), other messages by table as TiCDC's table dispatcher does. Lines that are not
// JSON objects go to partition 0 (a replayed poison message).
std::int32_t ReplayPartition(std::string_view line, std::int32_t partitions);

}  // namespace cdc
