#include "fakes/fake_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

namespace cdc::testing {

FakeSink::FakeSink(Options options, AckSink* acks, DeadLetterWriter* dlq)
    : options_(std::move(options)), acks_(acks), dlq_(dlq) {}

FakeSink::~FakeSink() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    stopped_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (record_fd_ >= 0) ::close(record_fd_);
}

Status FakeSink::Start() {
  if (!options_.record_file.empty()) {
    record_fd_ = ::open(options_.record_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (record_fd_ < 0) return Status::Internal("cannot open record file");
  }
  if (options_.mode != Mode::kAckImmediately) worker_ = std::thread([this] { Worker(); });
  return Status::Ok();
}

Status FakeSink::Healthcheck() {
  std::lock_guard lock(mu_);
  return healthy_ ? Status::Ok() : Status::Transient("fake sink unhealthy");
}

void FakeSink::SetHealthy(bool healthy) {
  std::lock_guard lock(mu_);
  healthy_ = healthy;
}

bool FakeSink::TrySubmit(Batch& batch) {
  {
    std::lock_guard lock(mu_);
    if (stopped_ || stopping_ || in_flight_ >= options_.capacity) {
      ++refused_;
      return false;
    }
    in_flight_ += batch.size();
    max_in_flight_ = std::max(max_in_flight_, in_flight_);
    if (options_.mode != Mode::kAckImmediately) {
      const auto due = std::chrono::steady_clock::now() + options_.delay;
      for (SinkRecord& r : batch) pending_.push_back(Pending{due, std::move(r)});
      batch.clear();
      cv_.notify_all();
      return true;
    }
  }
  for (const SinkRecord& r : batch) Deliver(r);
  batch.clear();
  return true;
}

void FakeSink::Deliver(const SinkRecord& record) {
  if (options_.dead_letter_if && options_.dead_letter_if(record)) {
    DeadLetter letter{.value = record.doc.source_json,
                      .reason = "test:rejected",
                      .source_topic = "",
                      .source_partition = record.source.partition,
                      .source_offset = record.source.offset,
                      .document_id = record.doc.id};
    // Dead-lettered records finish only once the letter is stored.
    dlq_->Write(std::move(letter), [this, record](Status st) {
      if (!st.ok()) return;  // a real sink retries; the test then sees the record unfinished
      {
        std::lock_guard lock(mu_);
        --in_flight_;
      }
      acks_->Ack(record, DeliveryOutcome::kDeadLettered);
    });
    return;
  }
  if (record_fd_ >= 0) {
    const std::string line = std::to_string(record.source.partition) + " " +
                             std::to_string(record.source.offset) + " " + record.doc.id + "\n";
    if (::write(record_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return;
  }
  {
    std::lock_guard lock(mu_);
    delivered_.emplace_back(record.source.partition, record.source.offset);
    --in_flight_;
  }
  acks_->Ack(record, DeliveryOutcome::kDelivered);
}

void FakeSink::Worker() {
  std::unique_lock lock(mu_);
  while (!stopped_) {
    if (pending_.empty() || (options_.mode == Mode::kHold && !released_)) {
      if (stopping_) break;
      cv_.wait(lock);
      continue;
    }
    const auto due = pending_.front().due;
    if (options_.mode == Mode::kDelay && due > std::chrono::steady_clock::now()) {
      cv_.wait_until(lock, due);
      continue;
    }
    SinkRecord record = std::move(pending_.front().record);
    pending_.pop_front();
    lock.unlock();
    Deliver(record);
    lock.lock();
  }
}

void FakeSink::Release() {
  {
    std::lock_guard lock(mu_);
    released_ = true;
  }
  cv_.notify_all();
}

Status FakeSink::Stop(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::unique_lock lock(mu_);
  stopping_ = true;
  cv_.notify_all();
  // Flush what can be flushed by the deadline; held records stay unacknowledged.
  while (!pending_.empty() && (options_.mode != Mode::kHold || released_) &&
         std::chrono::steady_clock::now() < until) {
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    lock.lock();
  }
  stopped_ = true;
  cv_.notify_all();
  lock.unlock();
  if (worker_.joinable()) worker_.join();
  return Status::Ok();
}

std::size_t FakeSink::delivered() const {
  std::lock_guard lock(mu_);
  return delivered_.size();
}
std::size_t FakeSink::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}
std::size_t FakeSink::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}
std::size_t FakeSink::max_in_flight() const {
  std::lock_guard lock(mu_);
  return max_in_flight_;
}
std::vector<std::pair<std::int32_t, std::int64_t>> FakeSink::DeliveredRefs() const {
  std::lock_guard lock(mu_);
  return delivered_;
}
bool FakeSink::stopped() const {
  std::lock_guard lock(mu_);
  return stopped_;
}

}  // namespace cdc::testing
