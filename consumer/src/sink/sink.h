#pragma once

#include <chrono>

#include "core/sink_record.h"
#include "core/status.h"

namespace cdc {

// What finally happened to one record. Both outcomes let the record's offset advance.
enum class DeliveryOutcome { kDelivered, kDeadLettered };

// Receives exactly one acknowledgement per SinkRecord a sink accepted. Implementations must be
// thread-safe: sinks call Ack from their own worker threads.
class AckSink {
 public:
  virtual ~AckSink() = default;
  virtual void Ack(const SinkRecord& record, DeliveryOutcome outcome) = 0;
};

// A destination for documents (Elasticsearch, the embedded SQLite store, test fakes). A sink owns
// its batching, retries and dead-lettering, and completes every accepted record exactly once
// through its AckSink. Start/Healthcheck/TrySubmit/Stop are called from the pipeline thread.
class Sink {
 public:
  virtual ~Sink() = default;

  // Prepares the destination (index template, schema) and starts worker threads.
  virtual Status Start() = 0;

  // Checks the destination the way a real write would reach it; ok while it is reachable.
  virtual Status Healthcheck() = 0;

  // Takes every record of `batch` and returns true, or takes none and returns false when the
  // sink is full; the caller keeps the batch and pauses its source.
  [[nodiscard]] virtual bool TrySubmit(Batch& batch) = 0;

  // Stops accepting, flushes what it holds until `deadline` passes, then stops the workers.
  // Records not completed by then are never acknowledged (so their offsets are not committed).
  virtual Status Stop(std::chrono::milliseconds deadline) = 0;
};

}  // namespace cdc
