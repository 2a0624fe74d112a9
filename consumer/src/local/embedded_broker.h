#pragma once

#include <librdkafka/rdkafka.h>
// clang-format off: rdkafka_mock.h must come after rdkafka.h
#include <librdkafka/rdkafka_mock.h>
// clang-format on

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "local/kafka_producer.h"

namespace cdc {

struct EmbeddedBrokerOptions {
  int brokers = 1;
  std::string topic = "tidb-cdc";
  std::int32_t partitions = 6;
  std::string dlq_topic = "tidb-cdc-dlq";
  std::int32_t dlq_partitions = 1;
  // When set, the bootstrap address is written to <state_dir>/bootstrap.servers (atomically:
  // temp file + rename), because librdkafka 2.0.2's mock cluster listens on random ports.
  std::string state_dir{};
};

// A real Kafka-protocol broker on loopback: librdkafka's mock cluster with the CDC topic and
// its dead-letter topic created up front (the mock has no CreateTopics API). Keeps about
// 5 MiB per partition (older records are dropped silently), and the first group join waits
// 3 s. Create and destroy it on one thread; the cluster runs on librdkafka's own threads.
class EmbeddedBroker {
 public:
  static Result<std::unique_ptr<EmbeddedBroker>> Start(const EmbeddedBrokerOptions& options);
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // "127.0.0.1:PORT[,...]"
  const std::string& bootstrap_servers() const { return bootstrap_; }
  rd_kafka_mock_cluster_t* cluster() { return cluster_; }

 private:
  EmbeddedBroker() = default;

  RdKafkaHandle owner_;  // the mock cluster needs an rd_kafka_t for its bookkeeping
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
  std::string bootstrap_file_;
};

// Writes `content` to `path` through a temporary file and rename, so readers never see a
// partial file.
Status WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace cdc
