#include "sink/elasticsearch/sink_core.h"

#include <algorithm>
#include <atomic>

#include "sink/elasticsearch/bulk_body.h"

namespace cdc::es {

SinkCore::SinkCore(Options options, Deps deps)
    : options_(std::move(options)),
      deps_(deps),
      queue_(options_.batching),
      backoff_(options_.backoff),
      in_flight_limit_(std::max(1, options_.max_in_flight)) {}

bool SinkCore::TrySubmit(Batch& batch) {
  {
    std::lock_guard lock(mu_);
    if (!accepting_ || queued_bytes_ >= options_.max_queued_bytes) return false;
    const auto now = Clock::now();
    for (SinkRecord& r : batch) {
      const std::size_t bytes = BulkBytesBound(options_.index, r.doc);
      queued_bytes_ += bytes;
      ++unfinished_;
      queue_.Add(PendingRecord{std::move(r), bytes, 0}, now);
    }
  }
  batch.clear();
  work_cv_.notify_all();
  return true;
}

bool SinkCore::HasWorkLocked(Clock::time_point now) const {
  if (!ready_ && !bootstrap_running_ && bootstrap_due_ <= now) return true;
  if (!dead_letter_retries_.empty() && dead_letter_retries_.begin()->first <= now) return true;
  return ready_ && sending_ && in_flight_ < in_flight_limit_ && queue_.NextReady(flushing_) <= now;
}

std::optional<SinkWork> SinkCore::NextWork() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (stopping_) return std::nullopt;
    const auto now = Clock::now();
    if (HasWorkLocked(now)) {
      SinkWork work;
      if (!ready_ && !bootstrap_running_ && bootstrap_due_ <= now) {
        bootstrap_running_ = true;
        work.bootstrap = true;
      }
      while (!dead_letter_retries_.empty() && dead_letter_retries_.begin()->first <= now) {
        work.dead_letters.push_back(std::move(dead_letter_retries_.begin()->second));
        dead_letter_retries_.erase(dead_letter_retries_.begin());
      }
      if (ready_ && sending_ && in_flight_ < in_flight_limit_) {
        work.batch = queue_.Take(now, flushing_);
        if (!work.batch.empty()) ++in_flight_;
      }
      if (work.bootstrap || !work.dead_letters.empty() || !work.batch.empty()) return work;
    }
    Clock::time_point next = Clock::time_point::max();
    if (!ready_ && !bootstrap_running_) next = bootstrap_due_;
    if (!dead_letter_retries_.empty()) next = std::min(next, dead_letter_retries_.begin()->first);
    if (ready_ && sending_ && in_flight_ < in_flight_limit_) {
      next = std::min(next, queue_.NextReady(flushing_));
    }
    if (next == Clock::time_point::max()) {
      work_cv_.wait(lock);
    } else {
      work_cv_.wait_until(lock, next);
    }
  }
}

void SinkCore::FinishBatch() {
  {
    std::lock_guard lock(mu_);
    --in_flight_;
  }
  work_cv_.notify_all();
  drained_cv_.notify_all();  // StopSendingAndWaitInFlight waits for in_flight_ == 0
}

void SinkCore::BootstrapDone(bool ok) {
  {
    std::lock_guard lock(mu_);
    bootstrap_running_ = false;
    if (ok) {
      ready_ = true;
    } else {
      bootstrap_due_ = Clock::now() + backoff_.Next(bootstrap_attempts_++);
    }
  }
  work_cv_.notify_all();
}

void SinkCore::Deliver(PendingBatch records) {
  if (records.empty()) return;
  std::size_t bytes = 0;
  {
    std::shared_lock gate(gate_);
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    // Counted before any acknowledgement, so whoever sees an offset move also sees its events.
    if (deps_.metrics != nullptr && !closed_) {
      EventRunCounter events(deps_.metrics);
      for (const PendingRecord& r : records) {
        const Document& doc = r.record.doc;
        events.Count(doc.database, doc.table, doc.op);
        if (doc.event_time_ms > 0) {
          const auto lag_ms = std::max<std::int64_t>(0, now_ms - doc.event_time_ms);
          deps_.metrics->ObserveEndToEndSeconds(static_cast<double>(lag_ms) / 1000.0);
        }
      }
    }
    for (const PendingRecord& r : records) {
      bytes += r.bytes;
      if (!closed_) deps_.acks->Ack(r.record, DeliveryOutcome::kDelivered);
    }
  }
  Release(records.size(), bytes);
}

void SinkCore::Release(std::size_t records, std::size_t bytes) {
  bool drained = false;
  {
    std::lock_guard lock(mu_);
    unfinished_ -= records;
    queued_bytes_ -= bytes;
    drained = unfinished_ == 0;
  }
  if (drained) drained_cv_.notify_all();
}

void SinkCore::Retry(PendingBatch records, RetryDelay delay) {
  if (records.empty()) return;
  {
    std::lock_guard lock(mu_);
    int attempts = 0;
    for (PendingRecord& r : records) attempts = std::max(attempts, ++r.attempts);
    const auto wait = delay == RetryDelay::kLong ? backoff_.Long() : backoff_.Next(attempts - 1);
    queue_.AddRetry(std::move(records), Clock::now() + wait, /*pinned=*/false);
  }
  if (deps_.metrics != nullptr) deps_.metrics->CountSinkRetry();
  work_cv_.notify_all();
}

void SinkCore::Split(PendingBatch records) {
  const auto half = static_cast<std::ptrdiff_t>(records.size() / 2);
  PendingBatch second(std::make_move_iterator(records.begin() + half),
                      std::make_move_iterator(records.end()));
  records.erase(records.begin() + half, records.end());
  {
    std::lock_guard lock(mu_);
    const auto now = Clock::now();
    queue_.AddRetry(std::move(records), now, /*pinned=*/true);
    queue_.AddRetry(std::move(second), now, /*pinned=*/true);
  }
  work_cv_.notify_all();
}

void SinkCore::LimitBulkBytes(std::size_t max_bytes) {
  std::lock_guard lock(mu_);
  queue_.LimitBytes(max_bytes);
}

void SinkCore::AdjustConcurrency(bool overloaded) {
  {
    std::lock_guard lock(mu_);
    in_flight_limit_ = overloaded ? std::max(1, in_flight_limit_ / 2)
                                  : std::min(options_.max_in_flight, in_flight_limit_ + 1);
  }
  if (!overloaded) work_cv_.notify_all();
}

void SinkCore::DeadLetter(std::vector<DeadLetterJob> jobs) {
  for (DeadLetterJob& job : jobs) {
    if (deps_.dlq == nullptr) {  // nowhere to put it: keep it, never drop
      Retry(PendingBatch{std::move(job.record)}, RetryDelay::kLong);
      continue;
    }
    const Document& doc = job.record.record.doc;
    cdc::DeadLetter letter;
    letter.value = doc.source_json;  // already redacted by the shaper
    letter.reason = job.reason;
    letter.source_topic = options_.dead_letter_topic;
    letter.source_partition = job.record.record.source.partition;
    letter.source_offset = job.record.record.source.offset;
    letter.document_id = doc.id;
    auto shared_job = std::make_shared<DeadLetterJob>(std::move(job));
    auto called = std::make_shared<std::atomic<bool>>(false);
    deps_.dlq->Write(std::move(letter), [self = shared_from_this(), shared_job, called](Status s) {
      if (called->exchange(true)) return;  // the contract says once; a second call is ignored
      self->OnDeadLetterDone(std::move(*shared_job), std::move(s));
    });
  }
}

void SinkCore::OnDeadLetterDone(DeadLetterJob job, Status status) {
  if (status.ok()) {
    {
      std::shared_lock gate(gate_);
      if (!closed_) {
        if (deps_.metrics != nullptr) deps_.metrics->CountDeadLetter(job.reason);
        deps_.acks->Ack(job.record.record, DeliveryOutcome::kDeadLettered);
      }
    }
    Release(1, job.record.bytes);
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;  // stays unacknowledged; its offset is not committed
    const auto due = Clock::now() + backoff_.Next(job.attempts++);
    dead_letter_retries_.emplace(due, std::move(job));
  }
  work_cv_.notify_all();
}

void SinkCore::Open(bool ready) {
  std::lock_guard lock(mu_);
  accepting_ = true;
  ready_ = ready;
  bootstrap_due_ = Clock::now();
}

void SinkCore::BeginFlush() {
  {
    std::lock_guard lock(mu_);
    accepting_ = false;
    flushing_ = true;
  }
  work_cv_.notify_all();
}

bool SinkCore::WaitDrained(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return drained_cv_.wait_until(lock, deadline, [&] { return unfinished_ == 0; });
}

bool SinkCore::StopSendingAndWaitInFlight(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  sending_ = false;
  return drained_cv_.wait_until(lock, deadline,
                                [&] { return in_flight_ == 0 || unfinished_ == 0; });
}

void SinkCore::Close() {
  {
    std::unique_lock gate(gate_);
    closed_ = true;
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    accepting_ = false;
  }
  work_cv_.notify_all();
  drained_cv_.notify_all();
}

std::size_t SinkCore::queued_bytes() const {
  std::lock_guard lock(mu_);
  return queued_bytes_;
}

std::size_t SinkCore::unfinished() const {
  std::lock_guard lock(mu_);
  return unfinished_;
}

int SinkCore::in_flight_limit() const {
  std::lock_guard lock(mu_);
  return in_flight_limit_;
}

}  // namespace cdc::es
