#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/message_ref.h"
#include "sink/dead_letter.h"

namespace cdc::kafka {

// Dead letters written for records that could not be decoded, kept until the writer confirms
// them, so that a failed write is retried with exponential backoff and the record is
// acknowledged only once its letter is stored. Poll thread only.
class PendingDeadLetters {
 public:
  using Clock = std::chrono::steady_clock;
  // Sends one letter; the writer's completion must come back through OnWritten/OnFailed.
  using WriteFn = std::function<void(const MessageRef&, const DeadLetter&)>;

  PendingDeadLetters(WriteFn write, std::chrono::milliseconds max_backoff)
      : write_(std::move(write)), max_backoff_(max_backoff) {}

  void Add(const MessageRef& ref, DeadLetter letter);
  // The write of `ref` succeeded: returns the letter's reason (for the metric) when it was
  // pending, and forgets it.
  std::optional<std::string> OnWritten(const MessageRef& ref);
  // The write failed: schedules a retry.
  void OnFailed(const MessageRef& ref, Clock::time_point now);
  // Resends letters whose backoff has passed.
  void RetryDue(Clock::time_point now);
  // Forgets the letters of a revoked partition.
  void DropPartition(std::int32_t partition);
  bool empty() const { return pending_.empty(); }
  std::size_t size() const { return pending_.size(); }

 private:
  using Key = std::tuple<std::int32_t, std::int64_t, std::uint64_t>;
  struct Entry {
    DeadLetter letter;
    int failures = 0;
    bool in_flight = true;
    Clock::time_point retry_at{};
  };
  static Key KeyOf(const MessageRef& ref) { return {ref.partition, ref.offset, ref.generation}; }

  WriteFn write_;
  std::chrono::milliseconds max_backoff_;
  std::map<Key, Entry> pending_;
};

}  // namespace cdc::kafka
