#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "source/kafka/rdkafka_handles.h"
#include "source/kafka/source_log.h"

namespace cdc::kafka {

// Told about group membership changes. Called on the thread that calls KafkaConsumer::Poll,
// from inside the poll (librdkafka's rebalance callback).
class ConsumerListener {
 public:
  virtual ~ConsumerListener() = default;
  // After the partitions were added to the assignment.
  virtual void OnAssigned(const std::vector<std::int32_t>& partitions) = 0;
  // Before the partitions leave the assignment; `lost` when the group already gave them to
  // someone else (session timeout, fenced), so committing is pointless and must not happen.
  virtual void OnRevoking(const std::vector<std::int32_t>& partitions, bool lost) = 0;
  virtual void OnKafkaError(const Status& error, bool fatal) = 0;
};

// A high-level KafkaConsumer (rd_kafka_t) subscribed to one topic, with manual offset storing.
// Every librdkafka call returns a Status. Handles EAGER and COOPERATIVE rebalances itself
// (assign vs incremental_assign) and tells its listener. Poll, StoreOffsets, CommitSync, Pause,
// Resume and Close are for the poll thread; CheckReachable and CachedWatermarks for any thread.
class KafkaConsumer {
 public:
  struct Options {
    std::string brokers;
    std::string group;
    std::string topic;
    KafkaProperties overrides;
    ConsumerListener* listener = nullptr;
    LogFn log;
  };

  // Builds the configuration (our defaults, then the overrides) and the client. The error of a
  // bad configuration lists every problem.
  static Result<std::unique_ptr<KafkaConsumer>> Create(Options options);
  // The same checks as Create, without creating a client.
  static Status CheckConfig(const Options& options);
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  Status Subscribe();
  // A message, an error event (message with err set) or null on timeout.
  MessagePtr Poll(std::chrono::milliseconds timeout);
  // Stores next-offsets to commit for partitions of our topic.
  Status StoreOffsets(const std::vector<std::pair<std::int32_t, std::int64_t>>& offsets);
  // Commits every stored offset now; ok when there was nothing to commit. `superseded`, when
  // given, tells whether the coordinator refused the commit because the group has moved on (a
  // rebalance under way, or this member's generation is over): the partitions' next owner then
  // reads from the last committed offset, so nothing acknowledged is lost, only re-read.
  Status CommitSync(bool* superseded = nullptr);
  Status Pause(const std::vector<std::int32_t>& partitions);
  Status Resume(const std::vector<std::int32_t>& partitions);
  // Leaves the group (a last revoke arrives through the listener). Idempotent.
  Status Close();

  // Low/high watermarks from the last fetch responses (no network round trip).
  std::optional<std::pair<std::int64_t, std::int64_t>> CachedWatermarks(std::int32_t partition);
  // Of `partitions`, those whose consumer position is behind the cached high watermark: records
  // exist that are neither queued nor consumed yet.
  std::vector<std::int32_t> BehindHighWatermark(const std::vector<std::int32_t>& partitions);
  // Sends a ListOffsets request to the leader of `partition` and waits for it at most `timeout`.
  // librdkafka before 2.4 re-checks a partition whose prefetch queue was full (queued.max.*)
  // only when its broker thread wakes up, which without other traffic is once a second: a
  // consumer slower than the broker then starves for up to a second after every refill.
  // Any request to that broker wakes the thread, and the fetch resumes at once.
  void WakeFetcher(std::int32_t partition, std::chrono::milliseconds timeout);
  // A metadata round trip to the cluster.
  Status CheckReachable(std::chrono::milliseconds timeout);
  const std::string& topic() const { return options_.topic; }

 private:
  explicit KafkaConsumer(Options options) : options_(std::move(options)) {}
  static Result<ConfPtr> BuildConf(const Options& options, void* opaque);
  static void RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void ErrorCallback(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void LogCallback(const rd_kafka_t* rk, int level, const char* fac, const char* buf);
  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  Status ToggleFetch(const std::vector<std::int32_t>& partitions, bool pause);
  void Log(LogLevel level, std::string_view msg) const {
    if (options_.log) options_.log(level, msg);
  }

  Options options_;
  HandlePtr rk_;
  bool closed_ = false;
};

}  // namespace cdc::kafka
