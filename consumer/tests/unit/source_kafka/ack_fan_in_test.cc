#include "source/kafka/ack_fan_in.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "source/kafka/offset_tracker.h"

namespace cdc::kafka {
namespace {

// Sink threads acknowledge concurrently while the "poll thread" (this test's main thread) drains
// and applies acks to the tracker: every ack arrives exactly once and the committable offset ends
// one past the last record. Run under TSan, this is the data-race check of the ack path.
TEST(AckFanInTest, ConcurrentAcksReachTheTrackerExactlyOnce) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  AckFanIn fan_in;
  OffsetTracker tracker;
  tracker.Assign(0);
  std::vector<std::vector<SinkRecord>> work(kThreads);
  for (int i = 0; i < kThreads * kPerThread; ++i) {
    auto reg = tracker.Register(0, i, 1, 1);
    ASSERT_TRUE(reg);
    SinkRecord rec;
    rec.doc.database = "appdb";
    rec.doc.table = "users";
    rec.source = reg->ref;
    work[static_cast<std::size_t>(i % kThreads)].push_back(std::move(rec));
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&fan_in, &work, t] {
      for (const SinkRecord& rec : work[static_cast<std::size_t>(t)]) {
        fan_in.Ack(rec, DeliveryOutcome::kDelivered);
      }
    });
  }
  std::vector<AckItem> items;
  std::size_t applied = 0;
  while (applied < static_cast<std::size_t>(kThreads * kPerThread)) {
    fan_in.WaitForItems(std::chrono::milliseconds(50));
    fan_in.Drain(&items);
    for (const AckItem& item : items) {
      ASSERT_NE(tracker.Ack(item.ref), OffsetTracker::AckResult::kIgnored);
      ++applied;
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fan_in.SizeForTest(), 0u);
  EXPECT_EQ(tracker.Committable(0), kThreads * kPerThread);
}

TEST(AckFanInTest, WaitForItemsTimesOutWhenEmpty) {
  AckFanIn fan_in;
  EXPECT_FALSE(fan_in.WaitForItems(std::chrono::milliseconds(1)));
  fan_in.Push(AckItem{.ref = MessageRef{.partition = 1, .offset = 2, .generation = 3}});
  EXPECT_TRUE(fan_in.WaitForItems(std::chrono::milliseconds(1)));
  std::vector<AckItem> items;
  fan_in.Drain(&items);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].ref.offset, 2);
}

}  // namespace
}  // namespace cdc::kafka
