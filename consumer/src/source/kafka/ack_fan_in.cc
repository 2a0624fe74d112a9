#include "source/kafka/ack_fan_in.h"

namespace cdc::kafka {

void AckFanIn::Ack(const SinkRecord& record, DeliveryOutcome /*outcome*/) {
  Push(AckItem{.ref = record.source, .kind = AckItem::Kind::kDocument});
}

void AckFanIn::Push(AckItem item) {
  bool was_empty;
  {
    std::lock_guard lock(mu_);
    was_empty = items_.empty();
    items_.push_back(item);
  }
  if (was_empty) cv_.notify_one();
}

void AckFanIn::Drain(std::vector<AckItem>* out) {
  out->clear();
  std::lock_guard lock(mu_);
  items_.swap(*out);
}

bool AckFanIn::WaitForItems(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return !items_.empty(); });
}

std::size_t AckFanIn::SizeForTest() const {
  std::lock_guard lock(mu_);
  return items_.size();
}

}  // namespace cdc::kafka
