#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "core/message_ref.h"
#include "sink/sink.h"

namespace cdc::kafka {

// One finished unit of work for the offset tracker: a document the sink completed, or the
// outcome of a dead-letter write for a record that could not be decoded.
struct AckItem {
  enum class Kind { kDocument, kDeadLetterWritten, kDeadLetterFailed };
  MessageRef ref;
  Kind kind = Kind::kDocument;
};

// The AckSink handed to sinks: sink worker threads and dead-letter delivery callbacks push here
// (any thread, one short lock per item) and the consumer's poll thread drains everything at once
// each round. Keeping the OffsetTracker on the poll thread only is what makes it lock-free.
// Sinks count delivered documents (cdc_events_total) themselves; both outcomes just finish the
// document here.
class AckFanIn final : public AckSink {
 public:
  AckFanIn() = default;

  void Ack(const SinkRecord& record, DeliveryOutcome outcome) override;
  void Push(AckItem item);

  // Swaps everything queued into `out` (cleared first). Poll thread.
  void Drain(std::vector<AckItem>* out);
  // Blocks until something is queued or `timeout` passes; true when something is queued.
  bool WaitForItems(std::chrono::milliseconds timeout);
  std::size_t SizeForTest() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<AckItem> items_;
};

}  // namespace cdc::kafka
