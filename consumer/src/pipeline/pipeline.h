#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "metrics/metrics.h"
#include "sink/dead_letter.h"
#include "sink/sink.h"
#include "source/kafka/kafka_source_options.h"
#include "transform/document_shaper.h"

namespace cdc {

namespace kafka {
class AckFanIn;
class KafkaDeadLetterWriter;
class KafkaSource;
class MessageDecoder;
struct SourceStats;
}  // namespace kafka

struct PipelineOptions {
  KafkaSourceOptions kafka;
  ShaperOptions shaper;
  // How long a graceful stop may take to flush in-flight bulks and dead letters.
  std::chrono::milliseconds shutdown_deadline{10000};
};

// Builds the sink once the pipeline has the acknowledgement fan-in and the dead-letter writer.
using SinkFactory =
    std::function<Result<std::unique_ptr<Sink>>(AckSink* acks, DeadLetterWriter* dlq)>;

// The running service: Kafka source → decode/shape → sink, with at-least-once offsets, the
// dead-letter producer, back-pressure and graceful shutdown (docs/kafka-pipeline.md). Owns one
// poll thread and one health thread. Start and Wait are for the owning thread; RequestStop,
// KafkaReachable and SinkHealthy may be called from any thread (signal watcher, HTTP server).
class Pipeline {
 public:
  Pipeline(PipelineOptions options, SinkFactory make_sink, Metrics* metrics);
  ~Pipeline();  // RequestStop + Wait when still running; then releases the sink and the writer
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Validates the configuration (every error at once), builds the dead-letter writer and the
  // sink (sink->Start()), subscribes, and starts the poll and health threads.
  Status Start();
  // Stop fetching; returns at once.
  void RequestStop();
  // Blocks until stopped: in-flight bulks flushed within shutdown_deadline, acknowledged offsets
  // stored and committed, consumer closed. The error of a fatal failure, or ok.
  Status Wait();

  bool KafkaReachable() const;
  // The cached result of the health thread's last sink->Healthcheck().
  bool SinkHealthy() const { return sink_healthy_.load(std::memory_order_acquire); }

  // Counters of the Kafka source (null before Start).
  const kafka::SourceStats* StatsForTest() const;

 private:
  Status Validate() const;
  Status Build();
  void PollThread();
  void HealthLoop();
  void StopHealthThread();
  void TearDown();

  PipelineOptions options_;
  SinkFactory make_sink_;
  Metrics* metrics_;

  std::unique_ptr<kafka::AckFanIn> acks_;
  std::unique_ptr<kafka::KafkaDeadLetterWriter> dead_letters_;
  std::unique_ptr<Sink> sink_;
  std::unique_ptr<kafka::MessageDecoder> decoder_;
  std::vector<std::unique_ptr<kafka::MessageDecoder>> helper_decoders_;  // one per helper thread
  std::unique_ptr<kafka::KafkaSource> source_;

  std::thread poll_thread_;
  std::thread health_thread_;
  std::mutex mu_;
  std::mutex health_join_mu_;
  std::condition_variable cv_;
  bool stop_requested_ = false;  // guarded by mu_
  bool started_ = false;
  bool waited_ = false;
  bool sink_started_ = false;
  std::atomic<bool> sink_stopped_{false};
  std::atomic<bool> sink_healthy_{false};
  std::atomic<bool> failed_{false};
  std::atomic<bool> running_{false};
  Status run_status_;  // written by the poll thread, read after joining it
};

}  // namespace cdc
