#include "source/kafka/kafka_source_options.h"

#include <fmt/format.h>

namespace cdc {

Status ValidateKafkaSourceOptions(const KafkaSourceOptions& options) {
  std::vector<std::string> errors;
  auto require = [&errors](bool ok, std::string what) {
    if (!ok) errors.push_back(std::move(what));
  };
  require(!options.brokers.empty(), "kafka.brokers: must not be empty");
  require(!options.topic.empty(), "kafka.topic: must not be empty");
  require(!options.group.empty(), "kafka.group: must not be empty");
  require(!options.dlq_topic.empty(), "kafka.dlq_topic: must not be empty");
  require(options.dlq_topic != options.topic,
          "kafka.dlq_topic: must differ from kafka.topic (poison would loop)");
  require(options.max_buffered_bytes >= 64 * 1024, "kafka.max_buffered_bytes: must be >= 65536");
  require(options.batch_max_records > 0, "kafka.batch_max_records: must be > 0");
  require(options.decode_threads >= 1 && options.decode_threads <= 64,
          "kafka.decode_threads: must be within 1..64");
  require(options.poll_timeout.count() > 0 && options.poll_timeout.count() <= 1000,
          "kafka.poll_timeout: must be within 1..1000 ms");
  require(options.metrics_interval.count() > 0, "kafka.metrics_interval: must be > 0");
  require(options.health_interval.count() > 0, "kafka.health_interval: must be > 0");
  require(options.dead_letter_max_backoff.count() >= 100,
          "kafka.dead_letter_max_backoff: must be >= 100 ms");
  for (const auto& [key, value] : options.rdkafka_overrides) {
    require(!key.empty(), "-X: empty property name");
  }
  if (errors.empty()) return Status::Ok();
  return Status::InvalidConfig(fmt::format("{}", fmt::join(errors, "; ")));
}

}  // namespace cdc
