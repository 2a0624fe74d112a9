#include "sink/elasticsearch/batch_queue.h"

#include <algorithm>

namespace cdc::es {

void BatchQueue::Add(PendingRecord record, Clock::time_point now) {
  fresh_bytes_ += record.bytes;
  fresh_.push_back(Fresh{std::move(record), now});
}

void BatchQueue::AddRetry(PendingBatch records, Clock::time_point due, bool pinned) {
  if (records.empty()) return;
  retries_.emplace(due, Group{std::move(records), pinned});
}

std::size_t BatchQueue::size() const {
  std::size_t n = fresh_.size();
  for (const auto& [due, group] : retries_) n += group.records.size();
  return n;
}

void BatchQueue::LimitBytes(std::size_t max_bytes) {
  options_.max_bytes = std::max<std::size_t>(1024, std::min(options_.max_bytes, max_bytes));
}

bool BatchQueue::FreshReady(Clock::time_point now, bool flush) const {
  if (fresh_.empty()) return false;
  return flush || fresh_.size() >= options_.max_docs || fresh_bytes_ >= options_.max_bytes ||
         fresh_.front().enqueued + options_.linger <= now;
}

// The first record always fits, so that a document larger than the bound still goes out alone.
bool BatchQueue::Fits(const PendingBatch& batch, std::size_t bytes,
                      const PendingRecord& next) const {
  if (batch.empty()) return true;
  return batch.size() < options_.max_docs && bytes + next.bytes <= options_.max_bytes;
}

PendingBatch BatchQueue::Take(Clock::time_point now, bool flush) {
  PendingBatch batch;
  // A due pinned group (half of a split request) is a request of its own.
  for (auto it = retries_.begin(); it != retries_.end() && it->first <= now; ++it) {
    if (it->second.pinned) {
      batch = std::move(it->second.records);
      retries_.erase(it);
      return batch;
    }
  }
  std::size_t bytes = 0;
  bool full = false;
  for (auto it = retries_.begin(); it != retries_.end() && it->first <= now && !full;) {
    auto& records = it->second.records;
    std::size_t taken = 0;
    while (taken < records.size() && Fits(batch, bytes, records[taken])) {
      bytes += records[taken].bytes;
      batch.push_back(std::move(records[taken++]));
    }
    if (taken == records.size()) {
      it = retries_.erase(it);
    } else {
      records.erase(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(taken));
      full = true;
    }
  }
  // Fresh records join a retry batch to fill it, or go out on their own once ready.
  if (!full && (!batch.empty() || FreshReady(now, flush))) {
    // Sized once for what can join (a request holds up to max_docs records of ~200 bytes each).
    const std::size_t room =
        batch.size() < options_.max_docs ? options_.max_docs - batch.size() : 0;
    batch.reserve(batch.size() + std::min(fresh_.size(), room));
    while (!fresh_.empty() && Fits(batch, bytes, fresh_.front().record)) {
      bytes += fresh_.front().record.bytes;
      fresh_bytes_ -= fresh_.front().record.bytes;
      batch.push_back(std::move(fresh_.front().record));
      fresh_.pop_front();
    }
  }
  return batch;
}

Clock::time_point BatchQueue::NextReady(bool flush) const {
  Clock::time_point next = Clock::time_point::max();
  if (!retries_.empty()) next = retries_.begin()->first;
  if (!fresh_.empty()) {
    const bool full =
        flush || fresh_.size() >= options_.max_docs || fresh_bytes_ >= options_.max_bytes;
    next =
        std::min(next, full ? Clock::time_point::min() : fresh_.front().enqueued + options_.linger);
  }
  return next;
}

}  // namespace cdc::es
