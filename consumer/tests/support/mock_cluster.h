#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace cdc::testing {

// librdkafka's in-process mock cluster: a real Kafka-protocol broker on loopback with consumer
// groups and fault injection (but not Apache Kafka: no CreateTopics, ~5 MiB kept per partition,
// first group join waits 3 s). Owned by the test thread; the brokers run on librdkafka threads.
class MockCluster {
 public:
  explicit MockCluster(int brokers = 1);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  bool ok() const { return cluster_ != nullptr; }
  const std::string& bootstraps() const { return bootstraps_; }
  rd_kafka_mock_cluster_t* raw() const { return cluster_; }
  bool CreateTopic(const std::string& topic, int partitions);

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstraps_;
};

// A producer for test data: keyed records, compressed, to a chosen partition (or by key when
// partition < 0). Waits out a full local queue instead of failing.
class TestProducer {
 public:
  // `idempotent` off: see Workload's constructor.
  explicit TestProducer(const std::string& bootstraps, const std::string& compression = "lz4",
                        bool idempotent = true);
  ~TestProducer();
  TestProducer(const TestProducer&) = delete;
  TestProducer& operator=(const TestProducer&) = delete;

  bool Produce(const std::string& topic, std::int32_t partition, std::string_view key,
               std::string_view value);
  // True when every record produced so far was acknowledged by the broker.
  bool Flush(std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));
  std::int64_t failed() const { return failed_; }

 private:
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  rd_kafka_t* rk_ = nullptr;
  std::int64_t failed_ = 0;
};

struct Watermarks {
  std::int64_t low = -1;
  std::int64_t high = -1;
};

// Broker-side low/high watermarks of one partition (low > 0 means the mock dropped data).
std::optional<Watermarks> QueryWatermarks(const std::string& bootstraps, const std::string& topic,
                                          std::int32_t partition);

// The group's committed offsets per partition (RD_KAFKA_OFFSET_INVALID = none), read without
// joining the group.
std::map<std::int32_t, std::int64_t> CommittedOffsets(const std::string& bootstraps,
                                                      const std::string& group,
                                                      const std::string& topic, int partitions);

struct ConsumedRecord {
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// Reads every partition of `topic` from the beginning (no group) until `expected` records
// arrived or `timeout` passes.
std::vector<ConsumedRecord> ReadTopic(const std::string& bootstraps, const std::string& topic,
                                      int partitions, std::size_t expected,
                                      std::chrono::milliseconds timeout);

// canal-json test records as TiCDC v6.5.0-v6.5.11 writes them (DML values end with "\r\n"):
// an INSERT into appdb.users (id, name, email, password, status, balance, created_at) and a
// TIDB_WATERMARK. `commit_ms` is the physical commit time.
std::string UserInsertJson(std::int64_t id, std::int64_t commit_ms);
std::string WatermarkJson(std::int64_t physical_ms);
std::uint64_t TsoFromMs(std::int64_t physical_ms);
std::int64_t NowMs();

}  // namespace cdc::testing
