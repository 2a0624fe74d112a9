#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <thread>
#include <vector>

#include "source/kafka/message_decoder.h"

namespace cdc::kafka {

// Decodes the records of one poll round on the calling (poll) thread and on helper threads at
// once, so that decoding and shaping are not bound to the one thread librdkafka's poll API
// allows. A fork-join per round: DecodeAll returns only when every slot is decoded and no helper
// touches the slots any more, so everything else (offset registration in read order, rebalance
// callbacks, the sink) stays on the poll thread exactly as without helpers. The caller never waits
// for a helper that has not started on the round: it closes the round once nothing is left to
// claim, and waits only for the helpers that joined before that, which are finishing one chunk.
// Each decoder is used by one thread only. Small rounds are decoded inline: waking a helper costs
// more than it saves.
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
  // gate_ packs the round: its number above kRoundShift, kClosedBit once the caller stopped
  // taking helpers in, and below it how many helpers joined.
  static constexpr unsigned kRoundShift = 32;
  static constexpr std::uint64_t kClosedBit = std::uint64_t{1} << 31;
  static constexpr std::uint64_t kJoinedMask = kClosedBit - 1;

  void HelperLoop(MessageDecoder* decoder);
  // Enters round `round` if it is still open; false when it closed (or moved on) first.
  bool Join(std::uint64_t round);
  // Claims chunks of the current round until none is left.
  void DecodeChunks(MessageDecoder* decoder);

  MessageDecoder* own_;
  std::vector<std::thread> helpers_;
  std::span<DecodeSlot> slots_;       // written before the round opens
  std::atomic<std::size_t> next_{0};  // next unclaimed slot of the current round
  std::atomic<std::uint64_t> gate_{0};
  std::atomic<std::uint64_t> finished_{0};  // joined helpers done with the current round
  std::atomic<bool> stop_{false};
  std::uint64_t round_id_ = 0;  // caller's thread (and the destructor)
  std::uint64_t parallel_rounds_ = 0;
};

}  // namespace cdc::kafka
