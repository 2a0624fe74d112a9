#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "fakes/fake_sink.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline.h"
#include "source/kafka/kafka_source.h"
#include "support/mock_cluster.h"
#include "support/test_env.h"

namespace cdc::testing {

// Shared by the Kafka/pipeline integration tests: pipeline options tuned for the mock cluster, a
// pipeline wrapped with its fake sink, and checks over what was produced, delivered and
// committed.

// Group timings for the mock: membership changes wait session.timeout.ms - 1 s, so 6 s keeps
// rebalance tests short while leaving heartbeats (500 ms) plenty of slack under sanitizers.
inline PipelineOptions MockPipelineOptions(const std::string& bootstraps, const std::string& topic,
                                           const std::string& group) {
  PipelineOptions options;
  options.kafka.brokers = bootstraps;
  options.kafka.topic = topic;
  options.kafka.group = group;
  options.kafka.dlq_topic = topic + "-dlq";
  options.kafka.rdkafka_overrides = {
      {"session.timeout.ms", "6000"},
      {"heartbeat.interval.ms", "500"},
      {"fetch.wait.max.ms", "50"},
      {"log_level", "4"},
  };
  options.kafka.health_interval = std::chrono::milliseconds(100);
  // Two, as the consumer picks on a 2-core machine: the tests cover the parallel decode path.
  options.kafka.decode_threads = 2;
  options.kafka.metrics_interval = std::chrono::milliseconds(100);
  options.shutdown_deadline = std::chrono::milliseconds(10000);
  return options;
}

// A bound that WaitFor's scaling turns back into `wall` (for waits that must outlast a broker
// or client timer, which sanitizers do not slow down).
inline std::chrono::milliseconds Unscaled(std::chrono::milliseconds wall) {
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(wall.count()) / TimeoutMultiplier()) + 1);
}

// Thread-safe log of the source's events (assign, revoke, store...), in order.
class EventLog {
 public:
  std::function<void(const SourceEvent&)> Observer() {
    return [this](const SourceEvent& e) {
      std::lock_guard lock(mu_);
      events_.push_back(e);
    };
  }
  std::vector<SourceEvent> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::size_t Count(SourceEvent::Kind kind) const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& e : events_) n += e.kind == kind ? 1 : 0;
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::vector<SourceEvent> events_;
};

// Fails the test if an offset was stored for a partition after it was revoked or lost and
// before it was assigned again.
inline void ExpectNoStoreAfterRevoke(const std::vector<SourceEvent>& events) {
  std::set<std::int32_t> owned;
  for (const SourceEvent& e : events) {
    switch (e.kind) {
      case SourceEvent::Kind::kAssigned:
        owned.insert(e.partition);
        break;
      case SourceEvent::Kind::kRevoked:
      case SourceEvent::Kind::kLost:
        owned.erase(e.partition);
        break;
      case SourceEvent::Kind::kStored:
        EXPECT_TRUE(owned.contains(e.partition))
            << "offset " << e.offset << " stored for partition " << e.partition
            << " while not assigned";
        break;
      default:
        break;
    }
  }
}

// A Pipeline with a FakeSink, started on construction.
class RunningPipeline {
 public:
  RunningPipeline(PipelineOptions options, FakeSink::Options sink_options, Metrics* metrics)
      : pipeline_(
            std::move(options),
            [this, sink_options](AckSink* acks,
                                 DeadLetterWriter* dlq) -> Result<std::unique_ptr<Sink>> {
              auto sink = std::make_unique<FakeSink>(sink_options, acks, dlq);
              sink_ = sink.get();
              return std::unique_ptr<Sink>(std::move(sink));
            },
            metrics) {
    start_status_ = pipeline_.Start();
  }
  ~RunningPipeline() { (void)Stop(); }

  const Status& start_status() const { return start_status_; }
  Pipeline& pipeline() { return pipeline_; }
  FakeSink& sink() { return *sink_; }
  const kafka::SourceStats& stats() { return *pipeline_.StatsForTest(); }
  Status Stop() {
    if (stopped_) return stop_status_;
    stopped_ = true;
    pipeline_.RequestStop();
    stop_status_ = pipeline_.Wait();
    return stop_status_;
  }

 private:
  FakeSink* sink_ = nullptr;
  Pipeline pipeline_;
  Status start_status_;
  Status stop_status_;
  bool stopped_ = false;
};

// Produces `count` appdb.users inserts spread round-robin over `partitions`, keyed by id, and
// returns true when the broker acknowledged all of them.
inline bool ProduceUsers(TestProducer& producer, const std::string& topic, int partitions,
                         std::int64_t first_id, std::int64_t count) {
  const std::int64_t now = NowMs();
  for (std::int64_t id = first_id; id < first_id + count; ++id) {
    const std::string key = "appdb.users:" + std::to_string(id);
    if (!producer.Produce(topic, static_cast<std::int32_t>(id % partitions), key,
                          UserInsertJson(id, now))) {
      return false;
    }
  }
  return producer.Flush();
}

// High watermark per partition, after checking the mock kept everything (low watermark 0).
inline std::vector<std::int64_t> HighWatermarks(const std::string& bootstraps,
                                                const std::string& topic, int partitions) {
  std::vector<std::int64_t> highs;
  for (int p = 0; p < partitions; ++p) {
    auto marks = QueryWatermarks(bootstraps, topic, p);
    EXPECT_TRUE(marks.has_value()) << "partition " << p;
    if (!marks) return {};
    EXPECT_EQ(marks->low, 0) << "the mock dropped data from partition " << p;
    highs.push_back(marks->high);
  }
  return highs;
}

inline bool CommittedEquals(const std::string& bootstraps, const std::string& group,
                            const std::string& topic, const std::vector<std::int64_t>& expected) {
  auto committed = CommittedOffsets(bootstraps, group, topic, static_cast<int>(expected.size()));
  for (std::size_t p = 0; p < expected.size(); ++p) {
    auto it = committed.find(static_cast<std::int32_t>(p));
    if (it == committed.end() || it->second != expected[p]) return false;
  }
  return true;
}

// Distinct (partition, offset) pairs delivered by all the sinks given.
inline std::set<std::pair<std::int32_t, std::int64_t>> DistinctDelivered(
    const std::vector<std::vector<std::pair<std::int32_t, std::int64_t>>>& refs) {
  std::set<std::pair<std::int32_t, std::int64_t>> out;
  for (const auto& list : refs) out.insert(list.begin(), list.end());
  return out;
}

}  // namespace cdc::testing
