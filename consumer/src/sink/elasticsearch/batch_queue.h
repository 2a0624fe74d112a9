#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <vector>

#include "core/sink_record.h"

namespace cdc::es {

using Clock = std::chrono::steady_clock;

// A record the sink accepted and has not completed (acknowledged or dead-lettered) yet.
struct PendingRecord {
  SinkRecord record;
  std::size_t bytes = 0;  // BulkBytesBound of its document
  int attempts = 0;       // failed sends so far
};
using PendingBatch = std::vector<PendingRecord>;

// Turns accepted records into bulk requests by count, bytes and linger time, and holds records
// waiting for a retry until their backoff has passed. Retried records join new requests (only
// the failed items are resent, never their successful neighbours); the halves of a split request
// are "pinned" and go out exactly as they are. Not thread-safe: the sink guards it with its
// mutex. Time is passed in, so tests drive it without a clock.
class BatchQueue {
 public:
  struct Options {
    std::size_t max_docs = 1000;
    std::size_t max_bytes = 5 * 1024 * 1024;
    Clock::duration linger = std::chrono::milliseconds(50);
  };

  explicit BatchQueue(Options options) : options_(options) {}

  void Add(PendingRecord record, Clock::time_point now);
  void AddRetry(PendingBatch records, Clock::time_point due, bool pinned);

  // The next request to send, or an empty batch when none is ready at `now`. With `flush` a
  // partial batch is ready at once (shutdown) instead of after the linger time.
  PendingBatch Take(Clock::time_point now, bool flush);

  // When Take can next return a batch without new input: time_point::max() when nothing is
  // queued, a time <= now when one is ready.
  Clock::time_point NextReady(bool flush) const;

  bool empty() const { return fresh_.empty() && retries_.empty(); }
  std::size_t size() const;

  // Lowers the byte bound after the server refused a request as too large (413).
  void LimitBytes(std::size_t max_bytes);
  std::size_t max_bytes() const { return options_.max_bytes; }

 private:
  struct Fresh {
    PendingRecord record;
    Clock::time_point enqueued;
  };
  struct Group {
    PendingBatch records;
    bool pinned = false;
  };

  bool FreshReady(Clock::time_point now, bool flush) const;
  bool Fits(const PendingBatch& batch, std::size_t bytes, const PendingRecord& next) const;

  Options options_;
  std::deque<Fresh> fresh_;
  std::size_t fresh_bytes_ = 0;
  std::multimap<Clock::time_point, Group> retries_;  // by due time
};

}  // namespace cdc::es
