#include "source/kafka/offset_tracker.h"

#include <algorithm>

namespace cdc::kafka {

std::uint64_t OffsetTracker::Assign(std::int32_t partition) {
  PartitionState& state = parts_[partition];
  Drop(state);
  state = PartitionState{};
  state.generation = next_generation_++;
  return state.generation;
}

void OffsetTracker::Revoke(std::int32_t partition) {
  auto it = parts_.find(partition);
  if (it == parts_.end()) return;
  Drop(it->second);
  parts_.erase(it);
}

std::optional<std::uint64_t> OffsetTracker::Generation(std::int32_t partition) const {
  auto it = parts_.find(partition);
  if (it == parts_.end()) return std::nullopt;
  return it->second.generation;
}

bool OffsetTracker::HasRead(std::int32_t partition) const {
  auto it = parts_.find(partition);
  return it != parts_.end() && it->second.last_read.has_value();
}

std::optional<OffsetTracker::Registered> OffsetTracker::Register(std::int32_t partition,
                                                                 std::int64_t offset,
                                                                 std::size_t documents,
                                                                 std::size_t bytes) {
  auto it = parts_.find(partition);
  if (it == parts_.end()) return std::nullopt;
  PartitionState* state = &it->second;
  if (state->last_read && offset <= *state->last_read) {
    // Read again from an earlier offset: what was in flight will be re-read, and acks for it
    // must not finish the new reads, hence a new generation.
    Assign(partition);
    state = &parts_[partition];
  }
  state->last_read = offset;
  Registered out;
  out.ref = MessageRef{.partition = partition, .offset = offset, .generation = state->generation};
  if (documents == 0) {
    if (state->entries.empty()) {
      state->committable = offset + 1;
      out.advanced = true;
    } else {
      state->entries.push_back(Entry{.offset = offset, .remaining = 0, .bytes = 0});
    }
    return out;
  }
  state->entries.push_back(Entry{.offset = offset, .remaining = documents, .bytes = bytes});
  state->bytes += bytes;
  buffered_bytes_ += bytes;
  return out;
}

OffsetTracker::AckResult OffsetTracker::Ack(const MessageRef& ref) {
  auto it = parts_.find(ref.partition);
  if (it == parts_.end() || it->second.generation != ref.generation) return AckResult::kIgnored;
  PartitionState& state = it->second;
  auto pos = std::lower_bound(state.entries.begin(), state.entries.end(), ref.offset,
                              [](const Entry& e, std::int64_t off) { return e.offset < off; });
  if (pos == state.entries.end() || pos->offset != ref.offset || pos->remaining == 0) {
    return AckResult::kIgnored;
  }
  if (--pos->remaining == 0) {
    state.bytes -= pos->bytes;
    buffered_bytes_ -= pos->bytes;
    pos->bytes = 0;
  }
  if (pos != state.entries.begin() || pos->remaining != 0) return AckResult::kPending;
  return Advance(state) ? AckResult::kAdvanced : AckResult::kPending;
}

bool OffsetTracker::Advance(PartitionState& state) {
  bool moved = false;
  while (!state.entries.empty() && state.entries.front().remaining == 0) {
    state.committable = state.entries.front().offset + 1;
    state.entries.pop_front();
    moved = true;
  }
  return moved;
}

void OffsetTracker::Drop(PartitionState& state) {
  buffered_bytes_ -= state.bytes;
  state.bytes = 0;
  state.entries.clear();
}

std::optional<std::int64_t> OffsetTracker::Committable(std::int32_t partition) const {
  auto it = parts_.find(partition);
  if (it == parts_.end()) return std::nullopt;
  return it->second.committable;
}

std::optional<std::int64_t> OffsetTracker::OldestPending(std::int32_t partition) const {
  auto it = parts_.find(partition);
  if (it == parts_.end() || it->second.entries.empty()) return std::nullopt;
  return it->second.entries.front().offset;
}

std::size_t OffsetTracker::pending_records() const {
  std::size_t n = 0;
  for (const auto& [partition, state] : parts_) n += state.entries.size();
  return n;
}

std::vector<std::int32_t> OffsetTracker::Partitions() const {
  std::vector<std::int32_t> out;
  out.reserve(parts_.size());
  for (const auto& [partition, state] : parts_) out.push_back(partition);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cdc::kafka
