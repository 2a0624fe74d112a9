#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/status.h"
#include "sink/dead_letter.h"
#include "source/kafka/rdkafka_handles.h"
#include "source/kafka/source_log.h"

namespace cdc::kafka {

struct KafkaDeadLetterWriterOptions {
  std::string brokers;
  std::string topic;
  KafkaProperties overrides;  // the same -X list as the consumer
  LogFn log;
  // How long the destructor waits for letters still in flight before failing them.
  std::chrono::milliseconds close_timeout{5000};
};

// Writes dead letters to the DLQ topic with an idempotent producer (acks=all), the original value
// as the record value and the context as headers: cdc.reason, cdc.source.topic,
// cdc.source.partition, cdc.source.offset, cdc.document.id. `done` runs on the writer's own
// delivery-report thread once the broker confirmed the write (or it failed). Write may be
// called from any thread.
class KafkaDeadLetterWriter final : public DeadLetterWriter {
 public:
  static Result<std::unique_ptr<KafkaDeadLetterWriter>> Create(
      KafkaDeadLetterWriterOptions options);
  static Status CheckConfig(const KafkaDeadLetterWriterOptions& options);
  // Waits up to close_timeout for letters in flight; the rest complete with an error.
  ~KafkaDeadLetterWriter() override;
  KafkaDeadLetterWriter(const KafkaDeadLetterWriter&) = delete;
  KafkaDeadLetterWriter& operator=(const KafkaDeadLetterWriter&) = delete;

  void Write(DeadLetter letter, std::function<void(Status)> done) override;
  // Waits until every letter written so far is confirmed or `timeout` passes.
  Status Flush(std::chrono::milliseconds timeout);

 private:
  explicit KafkaDeadLetterWriter(KafkaDeadLetterWriterOptions options)
      : options_(std::move(options)) {}
  static Result<ConfPtr> BuildConf(const KafkaDeadLetterWriterOptions& options);
  static void DeliveryCallback(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  static void LogCallback(const rd_kafka_t* rk, int level, const char* fac, const char* buf);
  void PollLoop();

  KafkaDeadLetterWriterOptions options_;
  HandlePtr rk_;
  std::atomic<bool> stop_{false};
  std::thread poller_;
};

}  // namespace cdc::kafka
