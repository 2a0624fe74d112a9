#include "source/kafka/pending_dead_letters.h"

#include <vector>

#include <gtest/gtest.h>

namespace cdc::kafka {
namespace {

using std::chrono::milliseconds;

struct Sent {
  MessageRef ref;
  std::string reason;
};

class PendingDeadLettersTest : public ::testing::Test {
 protected:
  PendingDeadLetters pending_{[this](const MessageRef& ref, const DeadLetter& letter) {
                                sent_.push_back(Sent{ref, letter.reason});
                              },
                              milliseconds(1000)};
  std::vector<Sent> sent_;
  const PendingDeadLetters::Clock::time_point t0_ = PendingDeadLetters::Clock::now();
};

DeadLetter Letter(const char* reason) {
  DeadLetter letter;
  letter.reason = reason;
  return letter;
}

TEST_F(PendingDeadLettersTest, WritesAtOnceAndForgetsOnceWritten) {
  const MessageRef ref{.partition = 1, .offset = 7, .generation = 3};
  pending_.Add(ref, Letter("decode:invalid_json"));
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].ref, ref);
  EXPECT_EQ(pending_.OnWritten(ref), "decode:invalid_json");
  EXPECT_TRUE(pending_.empty());
  EXPECT_EQ(pending_.OnWritten(ref), std::nullopt) << "a second completion is ignored";
}

TEST_F(PendingDeadLettersTest, FailedWriteIsRetriedAfterExponentialBackoffWithCap) {
  const MessageRef ref{.partition = 0, .offset = 1, .generation = 1};
  pending_.Add(ref, Letter("decode:not_object"));
  pending_.OnFailed(ref, t0_);
  pending_.RetryDue(t0_ + milliseconds(199));
  EXPECT_EQ(sent_.size(), 1u) << "first backoff is 200 ms";
  pending_.RetryDue(t0_ + milliseconds(200));
  ASSERT_EQ(sent_.size(), 2u);
  pending_.RetryDue(t0_ + milliseconds(5000));
  EXPECT_EQ(sent_.size(), 2u) << "not resent while a write is in flight";
  for (int i = 0; i < 10; ++i) pending_.OnFailed(ref, t0_);
  pending_.RetryDue(t0_ + milliseconds(1000));
  EXPECT_EQ(sent_.size(), 3u) << "backoff capped at max_backoff";
  EXPECT_EQ(pending_.size(), 1u);
}

TEST_F(PendingDeadLettersTest, RevokedPartitionIsForgotten) {
  pending_.Add(MessageRef{.partition = 0, .offset = 1, .generation = 1}, Letter("a"));
  pending_.Add(MessageRef{.partition = 2, .offset = 1, .generation = 1}, Letter("b"));
  pending_.DropPartition(0);
  EXPECT_EQ(pending_.size(), 1u);
  EXPECT_EQ(pending_.OnWritten(MessageRef{.partition = 0, .offset = 1, .generation = 1}),
            std::nullopt);
  EXPECT_EQ(pending_.OnWritten(MessageRef{.partition = 2, .offset = 1, .generation = 1}), "b");
}

}  // namespace
}  // namespace cdc::kafka
