#include "source/kafka/decode_pool.h"

#include <algorithm>

namespace cdc::kafka {
namespace {

// Slots claimed at a time: large enough that the shared counter is not contended, small
// enough that the threads finish a round together.
constexpr std::size_t kChunk = 16;

void DecodeOne(MessageDecoder* decoder, DecodeSlot& slot) {
  slot.record.Clear();
  slot.status = decoder->Decode(slot.payload, &slot.record);
}

}  // namespace

DecodePool::DecodePool(MessageDecoder* own, std::vector<MessageDecoder*> helpers)
    : own_(own), decoders_(std::move(helpers)) {
  helpers_.reserve(decoders_.size());
  for (MessageDecoder* decoder : decoders_) {
    helpers_.emplace_back([this, decoder] { HelperLoop(decoder); });
  }
}

DecodePool::~DecodePool() {
  stop_.store(true, std::memory_order_release);
  round_.fetch_add(1, std::memory_order_release);
  round_.notify_all();
  for (std::thread& t : helpers_) t.join();
}

void DecodePool::DecodeAll(std::span<DecodeSlot> slots) {
  if (helpers_.empty() || slots.size() < kMinParallelSlots) {
    for (DecodeSlot& slot : slots) DecodeOne(own_, slot);
    return;
  }
  slots_ = slots;
  next_.store(0, std::memory_order_relaxed);
  finished_.store(0, std::memory_order_relaxed);
  // The release publishes slots_ and the reset counters to the helpers' acquire load.
  round_.fetch_add(1, std::memory_order_release);
  round_.notify_all();
  DecodeChunks(own_);
  // Wait for every helper, even one that wakes only now and finds nothing left: after this
  // return no helper may read slots_.
  for (std::size_t done = finished_.load(std::memory_order_acquire); done < helpers_.size();
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
    for (std::size_t i = begin; i < end; ++i) DecodeOne(decoder, slots_[i]);
  }
}

void DecodePool::HelperLoop(MessageDecoder* decoder) {
  std::uint64_t seen = 0;
  for (;;) {
    round_.wait(seen, std::memory_order_acquire);
    seen = round_.load(std::memory_order_acquire);
    if (stop_.load(std::memory_order_acquire)) return;
    // A decoder does not throw by design; if one did, std::terminate is the right outcome:
    // nothing of this round was acknowledged, so it is all read again after a restart.
    DecodeChunks(decoder);
    finished_.fetch_add(1, std::memory_order_acq_rel);
    finished_.notify_one();
  }
}

}  // namespace cdc::kafka
