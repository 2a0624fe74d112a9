#include "source/kafka/decode_pool.h"

#include <algorithm>

#include "core/thread_name.h"

namespace cdc::kafka {
namespace {

// Slots claimed at a time, and handed to the decoder at once (it may decode several before it
// shapes them): large enough that the shared counter is not contended, small enough that the
// threads finish a round together.
constexpr std::size_t kChunk = 16;

void DecodeSlots(MessageDecoder* decoder, std::span<DecodeSlot> slots) {
  for (DecodeSlot& slot : slots) slot.record.Clear();
  decoder->DecodeAll(slots);
}

}  // namespace

DecodePool::DecodePool(MessageDecoder* own, std::vector<MessageDecoder*> helpers) : own_(own) {
  helpers_.reserve(helpers.size());
  for (MessageDecoder* decoder : helpers) {
    helpers_.emplace_back([this, decoder] {
      SetCurrentThreadName("cdc-decode");
      HelperLoop(decoder);
    });
  }
}

DecodePool::~DecodePool() {
  stop_.store(true, std::memory_order_release);
  // A new, closed round: wakes every helper, and none can join it.
  gate_.store(((round_id_ + 1) << kRoundShift) | kClosedBit, std::memory_order_release);
  gate_.notify_all();
  for (std::thread& t : helpers_) t.join();
}

void DecodePool::DecodeAll(std::span<DecodeSlot> slots) {
  if (helpers_.empty() || slots.size() < kMinParallelSlots) {
    DecodeSlots(own_, slots);
    return;
  }
  slots_ = slots;
  next_.store(0, std::memory_order_relaxed);
  finished_.store(0, std::memory_order_relaxed);
  ++round_id_;
  // Open the round: helpers may join it from now on. The release publishes slots_ and the reset
  // counters to a helper's acquire in Join.
  gate_.store(round_id_ << kRoundShift, std::memory_order_release);
  gate_.notify_all();
  DecodeChunks(own_);
  // Close the round: a helper that has not joined yet (not scheduled since the wake-up) stays
  // out of it, so the wait below is only for helpers still decoding a chunk they claimed, never
  // for one that has yet to run.
  const std::uint64_t joined = gate_.fetch_or(kClosedBit, std::memory_order_acq_rel) & kJoinedMask;
  for (std::uint64_t done = finished_.load(std::memory_order_acquire); done < joined;
       done = finished_.load(std::memory_order_acquire)) {
    finished_.wait(done, std::memory_order_acquire);
  }
  slots_ = {};
  ++parallel_rounds_;
}

void DecodePool::DecodeChunks(MessageDecoder* decoder) {
  const std::size_t size = slots_.size();
  for (std::size_t begin = next_.fetch_add(kChunk, std::memory_order_relaxed); begin < size;
       begin = next_.fetch_add(kChunk, std::memory_order_relaxed)) {
    const std::size_t end = std::min(size, begin + kChunk);
    DecodeSlots(decoder, slots_.subspan(begin, end - begin));
  }
}

bool DecodePool::Join(std::uint64_t round) {
  std::uint64_t gate = gate_.load(std::memory_order_acquire);
  while ((gate >> kRoundShift) == round && (gate & kClosedBit) == 0) {
    if (gate_.compare_exchange_weak(gate, gate + 1, std::memory_order_acq_rel,
                                    std::memory_order_acquire)) {
      return true;
    }
  }
  return false;
}

void DecodePool::HelperLoop(MessageDecoder* decoder) {
  std::uint64_t handled = 0;  // the last round this helper looked at
  for (;;) {
    // Sleep until a new round opens. Joins and the close change the gate within a round without
    // a notify; a wake-up on those just waits again on the new value.
    std::uint64_t gate = gate_.load(std::memory_order_acquire);
    while ((gate >> kRoundShift) == handled) {
      gate_.wait(gate, std::memory_order_acquire);
      gate = gate_.load(std::memory_order_acquire);
    }
    if (stop_.load(std::memory_order_acquire)) return;
    handled = gate >> kRoundShift;
    if (!Join(handled)) continue;  // closed before this helper ran: the round is done
    // A decoder does not throw by design; if one did, std::terminate is the right outcome:
    // nothing of this round was acknowledged, so it is all read again after a restart.
    DecodeChunks(decoder);
    finished_.fetch_add(1, std::memory_order_acq_rel);
    finished_.notify_one();
  }
}

}  // namespace cdc::kafka
