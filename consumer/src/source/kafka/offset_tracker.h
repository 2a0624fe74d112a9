#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/message_ref.h"

namespace cdc::kafka {

// Tracks, per assigned partition, which Kafka records still have documents in flight, and from
// that the offset that may be committed: one past the end of the longest prefix of *read*
// records whose documents are all finished (delivered or dead-lettered). Records are kept in the
// order they were read, never by offset+1 arithmetic, because compacted topics and transaction
// markers leave gaps. Pure bookkeeping without I/O or locks: only the consumer's poll thread may
// call it (sink threads hand their acknowledgements over through AckFanIn).
class OffsetTracker {
 public:
  enum class AckResult {
    kIgnored,   // stale generation, unknown record or more acks than documents
    kPending,   // counted; the committable offset did not move
    kAdvanced,  // counted; the committable offset of the partition moved forward
  };

  struct Registered {
    MessageRef ref;
    bool advanced = false;  // a record with no documents finished at once and moved the offset
  };

  // Starts tracking `partition` under a new generation (never reused by this tracker). An
  // existing state for the partition is dropped first.
  std::uint64_t Assign(std::int32_t partition);
  // Forgets `partition`: acknowledgements of its records are ignored from now on.
  void Revoke(std::int32_t partition);
  bool IsAssigned(std::int32_t partition) const { return parts_.contains(partition); }
  std::optional<std::uint64_t> Generation(std::int32_t partition) const;
  // True once a record of the current generation was registered for the partition.
  bool HasRead(std::int32_t partition) const;

  // Records a read at `offset` holding `documents` documents that occupy `bytes` until they
  // finish. Offsets must grow within a generation; a smaller or equal one (a seek back, an
  // offset reset) restarts the partition under a new generation, since everything after it will
  // be read again. Returns nullopt when the partition is not assigned.
  std::optional<Registered> Register(std::int32_t partition, std::int64_t offset,
                                     std::size_t documents, std::size_t bytes);

  // One document of the record `ref` finished.
  AckResult Ack(const MessageRef& ref);

  // The next offset to commit (all records read before it finished), or nullopt when no
  // record of the current generation has finished yet.
  std::optional<std::int64_t> Committable(std::int32_t partition) const;
  // The oldest record still waiting for documents, if any.
  std::optional<std::int64_t> OldestPending(std::int32_t partition) const;

  std::size_t buffered_bytes() const { return buffered_bytes_; }
  std::size_t pending_records() const;
  std::vector<std::int32_t> Partitions() const;

 private:
  struct Entry {
    std::int64_t offset;
    std::size_t remaining;
    std::size_t bytes;
  };
  struct PartitionState {
    std::uint64_t generation = 0;
    std::deque<Entry> entries;  // read order = increasing offsets
    std::optional<std::int64_t> last_read;
    std::optional<std::int64_t> committable;
    std::size_t bytes = 0;
  };

  // Pops finished records from the front; true when the committable offset moved.
  bool Advance(PartitionState& state);
  void Drop(PartitionState& state);

  std::unordered_map<std::int32_t, PartitionState> parts_;
  std::uint64_t next_generation_ = 1;
  std::size_t buffered_bytes_ = 0;
};

}  // namespace cdc::kafka
