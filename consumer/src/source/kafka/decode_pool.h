#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"
#include "source/kafka/message_decoder.h"

namespace cdc::kafka {

// One record of a poll round: its value, and what decoding it gave.
struct DecodeSlot {
  std::string_view payload;
  DecodedRecord record;
  Status status;
};

// Decodes the records of one poll round on the calling (poll) thread and on helper threads at
// once, so that decoding and shaping are not bound to the one thread librdkafka's poll API
// allows. A fork-join per round: DecodeAll returns only when every slot is decoded and no helper
// touches the slots any more, so everything else (offset registration in read order, rebalance
// callbacks, the sink) stays on the poll thread exactly as without helpers. Each decoder is used
// by one thread only. Small rounds are decoded inline: waking a helper costs more than it saves.
class DecodePool {
 public:
  // `own` runs on the caller's thread; one helper thread is started per entry of `helpers`.
  DecodePool(MessageDecoder* own, std::vector<MessageDecoder*> helpers);
  ~DecodePool();
  DecodePool(const DecodePool&) = delete;
  DecodePool& operator=(const DecodePool&) = delete;

  // Decodes every slot's payload into its record and status. Caller's thread only.
  void DecodeAll(std::span<DecodeSlot> slots);

  std::size_t threads() const { return helpers_.size() + 1; }
  // Rounds decoded with the helpers' help, for tests.
  std::uint64_t parallel_rounds() const { return parallel_rounds_; }

  // Fewer slots than this are decoded inline.
  static constexpr std::size_t kMinParallelSlots = 32;

 private:
  void HelperLoop(MessageDecoder* decoder);
  // Claims chunks of the current round until none is left.
  void DecodeChunks(MessageDecoder* decoder);

  MessageDecoder* own_;
  std::vector<MessageDecoder*> decoders_;
  std::vector<std::thread> helpers_;
  std::span<DecodeSlot> slots_;       // written before round_ is bumped
  std::atomic<std::size_t> next_{0};  // next unclaimed slot of the current round
  std::atomic<std::uint64_t> round_{0};
  std::atomic<std::size_t> finished_{0};  // helpers done with the current round
  std::atomic<bool> stop_{false};
  std::uint64_t parallel_rounds_ = 0;
};

}  // namespace cdc::kafka
