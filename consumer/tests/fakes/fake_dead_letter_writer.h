#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

#include "sink/dead_letter.h"

namespace cdc::testing {

// An in-memory DeadLetterWriter: completes each write at once on the calling thread, failing the
// first `fail_first` writes (to exercise retries). Any thread.
class FakeDeadLetterWriter final : public DeadLetterWriter {
 public:
  explicit FakeDeadLetterWriter(std::size_t fail_first = 0) : fail_remaining_(fail_first) {}

  void Write(DeadLetter letter, std::function<void(Status)> done) override;

  std::vector<DeadLetter> letters() const;
  std::size_t attempts() const;

 private:
  mutable std::mutex mu_;
  std::size_t fail_remaining_;
  std::size_t attempts_ = 0;
  std::vector<DeadLetter> letters_;
};

}  // namespace cdc::testing
