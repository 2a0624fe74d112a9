#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cdc {

// Whether every thread of the process is still doing its job; /healthz answers from it. A
// thread entry that catches a failure calls MarkFailed and asks for shutdown (style.md §3).
// The first failure is kept: later ones are usually its consequences. Thread-safe.
class ProcessHealth {
 public:
  void MarkFailed(std::string_view component, std::string_view reason) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_.load()) first_failure_ = std::string(component) + ": " + std::string(reason);
    failed_.store(true);
  }

  bool healthy() const { return !failed_.load(); }

  // Ok while healthy, else an internal error naming the first failure.
  Status Check() const {
    if (healthy()) return Status::Ok();
    std::lock_guard<std::mutex> lock(mu_);
    return Status::Internal(first_failure_);
  }

 private:
  mutable std::mutex mu_;
  std::atomic<bool> failed_{false};
  std::string first_failure_;
};

}  // namespace cdc
