#include "fakes/fake_dead_letter_writer.h"

namespace cdc::testing {

void FakeDeadLetterWriter::Write(DeadLetter letter, std::function<void(Status)> done) {
  bool fail = false;
  {
    std::lock_guard lock(mu_);
    ++attempts_;
    if (fail_remaining_ > 0) {
      --fail_remaining_;
      fail = true;
    } else {
      letters_.push_back(std::move(letter));
    }
  }
  done(fail ? Status::Transient("fake dead-letter failure") : Status::Ok());
}

std::vector<DeadLetter> FakeDeadLetterWriter::letters() const {
  std::lock_guard lock(mu_);
  return letters_;
}

std::size_t FakeDeadLetterWriter::attempts() const {
  std::lock_guard lock(mu_);
  return attempts_;
}

}  // namespace cdc::testing
