#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace cdc {

// What the Kafka source reports to a test observer: every assignment change and every offset
// stored, in the order they happened on the poll thread.
struct SourceEvent {
  enum class Kind { kAssigned, kRevoked, kLost, kStored, kPaused, kResumed };
  Kind kind;
  std::int32_t partition = -1;
  std::int64_t offset = -1;  // kStored only
};

// Settings of the Kafka source and its dead-letter producer (CLI: --brokers, --topic, --group,
// --dlq-topic, -X key=value).
struct KafkaSourceOptions {
  std::string brokers = "localhost:9092";
  std::string topic = "tidb-cdc";
  std::string group = "tidb-cdc-consumer";
  std::string dlq_topic = "tidb-cdc-dlq";
  // librdkafka properties passed verbatim (-X key=value), applied to the consumer and the
  // dead-letter producer after our defaults, and checked at startup.
  std::vector<std::pair<std::string, std::string>> rdkafka_overrides;
  // Back-pressure: partitions are paused above this many bytes of unacknowledged documents and
  // resumed below half of it.
  std::size_t max_buffered_bytes = 32 << 20;
  // Most records read in one poll round and handed to the sink as one batch.
  std::size_t batch_max_records = 1000;
  // Threads that decode and shape records, the poll thread included (see DecodePool).
  std::size_t decode_threads = 1;
  std::chrono::milliseconds poll_timeout{100};
  // How often lag, committed-offset and watermark-lag gauges are refreshed.
  std::chrono::milliseconds metrics_interval{1000};
  // How often the health thread checks Kafka and the sink for /readyz.
  std::chrono::milliseconds health_interval{2000};
  // Longest wait between retries of a failed dead-letter write.
  std::chrono::milliseconds dead_letter_max_backoff{30000};
  // Test hook: called on the poll thread for every SourceEvent.
  std::function<void(const SourceEvent&)> observer_for_test;
};

// Checks the options without any I/O; the error lists every problem, separated by "; ".
Status ValidateKafkaSourceOptions(const KafkaSourceOptions& options);

}  // namespace cdc
