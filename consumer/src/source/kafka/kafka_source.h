#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "core/sink_record.h"
#include "core/status.h"
#include "metrics/metrics.h"
#include "sink/dead_letter.h"
#include "sink/sink.h"
#include "source/kafka/ack_fan_in.h"
#include "source/kafka/decode_pool.h"
#include "source/kafka/kafka_consumer.h"
#include "source/kafka/kafka_source_options.h"
#include "source/kafka/message_decoder.h"
#include "source/kafka/offset_tracker.h"
#include "source/kafka/pending_dead_letters.h"
#include "source/kafka/source_log.h"

namespace cdc::kafka {

// Counters for tests and the status API; updated on the poll thread, readable from any thread.
struct SourceStats {
  std::atomic<std::uint64_t> records_read{0};
  std::atomic<std::uint64_t> decode_errors{0};
  std::atomic<std::uint64_t> dead_letters_written{0};
  std::atomic<std::uint64_t> revokes{0};
  std::atomic<std::uint64_t> lost_assignments{0};
  std::atomic<std::uint64_t> pauses{0};
  std::atomic<std::uint64_t> peak_buffered_bytes{0};
  std::atomic<std::uint64_t> assigned_partitions{0};
  std::atomic<std::uint64_t> fetcher_wakeups{0};  // see KafkaSource::WakeStarvedFetcher
};

// The consumer-group poll loop: reads records with rd_kafka_consumer_poll, decodes and shapes
// them, registers them in the OffsetTracker and hands batches to the sink; acknowledgements come
// back through AckFanIn and advance the stored offset to the acknowledged contiguous prefix.
// Poison records go to the dead-letter writer and count as finished once written. Pauses every
// assigned partition while the sink is full or too many bytes are unacknowledged, and keeps
// polling meanwhile so the group never evicts it. Run() is the poll thread; RequestStop,
// KafkaReachable, CheckReachable and stats() may be called from any thread.
class KafkaSource final : private ConsumerListener {
 public:
  struct Deps {
    MessageDecoder* decoder = nullptr;
    // Decoders for helper threads that decode alongside the poll thread (see DecodePool), one
    // thread each; empty decodes on the poll thread alone.
    std::vector<MessageDecoder*> helper_decoders;
    Sink* sink = nullptr;
    DeadLetterWriter* dead_letters = nullptr;
    AckFanIn* acks = nullptr;
    Metrics* metrics = nullptr;  // may be null
    LogFn log;
    // Called on the poll thread when shutdown begins, before the sink is stopped (the pipeline
    // stops its health thread, which calls the sink and the consumer).
    std::function<void()> on_stopping;
  };

  KafkaSource(KafkaSourceOptions options, Deps deps);
  ~KafkaSource() override;

  // Creates the consumer (checking every -X property) and subscribes.
  Status Init();
  // The poll loop; returns after RequestStop once the sink was stopped (within
  // `shutdown_deadline`), acknowledged offsets were stored and committed and the consumer closed.
  Status Run(std::chrono::milliseconds shutdown_deadline);
  void RequestStop() { stop_.store(true, std::memory_order_release); }
  // Leaves the group if Run never did (a failed start). Owning thread, not while Run runs.
  void Close();

  bool KafkaReachable() const { return kafka_up_.load(std::memory_order_acquire); }
  // One metadata round trip; updates KafkaReachable. Health thread.
  Status CheckReachable(std::chrono::milliseconds timeout);
  const SourceStats& stats() const { return stats_; }

 private:
  using Clock = std::chrono::steady_clock;

  void OnAssigned(const std::vector<std::int32_t>& partitions) override;
  void OnRevoking(const std::vector<std::int32_t>& partitions, bool lost) override;
  void OnKafkaError(const Status& error, bool fatal) override;

  void PollRound();
  void WakeStarvedFetcher();
  // Takes a record of the round being read; errors are handled at once.
  void Collect(MessagePtr msg);
  // Decodes the collected records (in parallel when there are helpers), then registers them and
  // fills the batch in the order they were read.
  void FinishRound();
  void Register(const rd_kafka_message_t& msg, DecodeSlot& slot);
  void HandleConsumerError(const rd_kafka_message_t& msg);
  void DeadLetterPoison(const rd_kafka_message_t& msg, const Status& error);
  void SubmitBatch();
  void ApplyAcks();
  void StoreDirtyOffsets();
  void UpdateBackPressure();
  void SyncPausedPartitions();
  void RefreshMetrics(Clock::time_point now);
  void MarkDirty(std::int32_t partition);
  void DropRecordsOf(const std::set<std::int32_t>& partitions, Batch* batch);
  void Notify(SourceEvent::Kind kind, std::int32_t partition, std::int64_t offset = -1);
  Status Shutdown(std::chrono::milliseconds deadline);
  void Log(LogLevel level, std::string_view msg) const {
    if (deps_.log) deps_.log(level, msg);
  }

  KafkaSourceOptions options_;
  Deps deps_;
  std::unique_ptr<KafkaConsumer> consumer_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> kafka_up_{false};
  SourceStats stats_;

  // Poll-thread state.
  OffsetTracker tracker_;
  PendingDeadLetters dead_letters_;
  std::set<std::int32_t> assigned_;
  std::unordered_map<std::int32_t, std::int64_t> stored_;  // last offset stored per partition
  std::vector<std::int32_t> dirty_;                        // committable may have moved
  Batch batch_;                                            // being filled this round
  Batch held_;           // refused by the sink; resubmitted before anything new is read
  bool paused_ = false;  // back-pressure state
  std::set<std::int32_t> paused_parts_;  // partitions actually paused
  // WakeStarvedFetcher's state.
  std::int32_t last_woken_partition_ = -1;
  std::uint64_t read_at_last_wake_ = 0;
  std::chrono::milliseconds wake_backoff_{0};
  Clock::time_point next_wake_{};
  std::unique_ptr<DecodePool> decode_pool_;
  std::vector<MessagePtr> collected_;  // this round's records, in read order
  std::vector<DecodeSlot> slots_;      // their decoding, same index
  std::vector<AckItem> ack_buf_;
  std::optional<std::uint64_t> newest_watermark_;
  Clock::time_point next_metrics_{};
  Status fatal_;
};

}  // namespace cdc::kafka
