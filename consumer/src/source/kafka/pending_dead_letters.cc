#include "source/kafka/pending_dead_letters.h"

#include <algorithm>
#include <optional>
#include <string>

namespace cdc::kafka {

void PendingDeadLetters::Add(const MessageRef& ref, DeadLetter letter) {
  auto [it, inserted] = pending_.insert_or_assign(KeyOf(ref), Entry{.letter = std::move(letter)});
  write_(ref, it->second.letter);
}

std::optional<std::string> PendingDeadLetters::OnWritten(const MessageRef& ref) {
  auto it = pending_.find(KeyOf(ref));
  if (it == pending_.end()) return std::nullopt;
  std::string reason = std::move(it->second.letter.reason);
  pending_.erase(it);
  return reason;
}

void PendingDeadLetters::OnFailed(const MessageRef& ref, Clock::time_point now) {
  auto it = pending_.find(KeyOf(ref));
  if (it == pending_.end()) return;
  Entry& entry = it->second;
  entry.in_flight = false;
  entry.failures = std::min(entry.failures + 1, 20);
  const auto backoff = std::min<std::chrono::milliseconds>(
      std::chrono::milliseconds(100) * (1LL << std::min(entry.failures, 16)), max_backoff_);
  entry.retry_at = now + backoff;
}

void PendingDeadLetters::RetryDue(Clock::time_point now) {
  for (auto& [key, entry] : pending_) {
    if (entry.in_flight || entry.retry_at > now) continue;
    entry.in_flight = true;
    write_(MessageRef{.partition = std::get<0>(key),
                      .offset = std::get<1>(key),
                      .generation = std::get<2>(key)},
           entry.letter);
  }
}

void PendingDeadLetters::DropPartition(std::int32_t partition) {
  std::erase_if(pending_,
                [partition](const auto& kv) { return std::get<0>(kv.first) == partition; });
}

}  // namespace cdc::kafka
