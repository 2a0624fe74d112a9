#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cdc {

// Deleters so librdkafka handles live in unique_ptrs.
struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using RdKafkaHandle = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;
using RdKafkaConf = std::unique_ptr<rd_kafka_conf_t, RdKafkaDeleter>;

// Builds a configuration from key/value pairs; the error names the key, never the value
// (values may be credentials).
Result<RdKafkaConf> MakeRdKafkaConf(const std::map<std::string, std::string>& settings);

// A producer for the local tools (feed simulator): null keys, explicit partitions, values
// copied. Delivery failures are counted, not retried by us (librdkafka retries internally).
// One thread calls Produce/Flush; the delivery callback runs inside those calls.
class KafkaProducer {
 public:
  static Result<std::unique_ptr<KafkaProducer>> Create(const std::string& brokers);

  // Queues one record; when librdkafka's queue is full it serves callbacks and retries, up to
  // `block_for`.
  Status Produce(const std::string& topic, std::int32_t partition, std::string_view value,
                 std::chrono::milliseconds block_for = std::chrono::seconds(10));
  // Waits until every queued record is delivered or failed.
  Status Flush(std::chrono::milliseconds timeout);
  // The topic's partition count from the cluster's metadata.
  Result<std::int32_t> PartitionCount(const std::string& topic, std::chrono::milliseconds timeout);

  std::int64_t delivered() const { return delivered_.load(); }
  std::int64_t failed() const { return failed_.load(); }

 private:
  KafkaProducer() = default;
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);

  RdKafkaHandle rk_;
  std::atomic<std::int64_t> delivered_{0};
  std::atomic<std::int64_t> failed_{0};
};

}  // namespace cdc
