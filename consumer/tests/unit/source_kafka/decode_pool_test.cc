#include "source/kafka/decode_pool.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace cdc::kafka {
namespace {

// Decodes "<n>" into one document whose id is "id-<n>" and rejects anything starting with
// "bad". Notes which thread decoded and how often it was called, so that the test can see the
// work was shared and every slot decoded exactly once.
class RecordingDecoder final : public MessageDecoder {
 public:
  // A helper's decoder opens `gate` on its first call; the caller's decoder, given the same
  // gate, waits (up to 30 s) until it is open: the test then knows the helpers took part.
  explicit RecordingDecoder(std::atomic<bool>* gate = nullptr, bool opens = false)
      : gate_(gate), opens_(opens) {}

  Status Decode(std::string_view payload, DecodedRecord* out) override {
    ++calls;
    if (gate_ != nullptr && opens_) {
      gate_->store(true);
    } else if (gate_ != nullptr) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (!gate_->load() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    {
      std::lock_guard lock(mu_);
      threads_.insert(std::this_thread::get_id());
    }
    if (payload.starts_with("bad")) return Status::InvalidInput("bad payload");
    Document doc;
    doc.id = "id-" + std::string(payload);
    out->documents.push_back(std::move(doc));
    return Status::Ok();
  }
  std::string ErrorSlug(const Status&) const override { return "bad"; }

  std::size_t ThreadCount() const {
    std::lock_guard lock(mu_);
    return threads_.size();
  }
  std::size_t calls = 0;  // this decoder's thread only; read after DecodeAll returned

 private:
  std::atomic<bool>* gate_;
  bool opens_;
  mutable std::mutex mu_;
  std::set<std::thread::id> threads_;
};

std::vector<DecodeSlot> Slots(const std::vector<std::string>& payloads) {
  std::vector<DecodeSlot> slots(payloads.size());
  for (std::size_t i = 0; i < payloads.size(); ++i) slots[i].payload = payloads[i];
  return slots;
}

TEST(DecodePoolTest, EverySlotIsDecodedOnceInItsOwnPlace) {
  std::atomic<bool> helper_ran{false};
  RecordingDecoder own(&helper_ran);
  RecordingDecoder helper_a(&helper_ran, true);
  RecordingDecoder helper_b(&helper_ran, true);
  DecodePool pool(&own, {&helper_a, &helper_b});
  ASSERT_EQ(pool.threads(), 3u);
  std::vector<std::string> payloads;
  for (int i = 0; i < 5000; ++i) payloads.push_back(i % 97 == 0 ? "bad" : std::to_string(i));
  // Many rounds: each must be complete when DecodeAll returns, and slots are reused like the
  // source reuses them (a record left from the round before must not leak into the next).
  std::vector<DecodeSlot> slots = Slots(payloads);
  for (int round = 0; round < 50; ++round) {
    for (std::size_t i = 0; i < slots.size(); ++i) slots[i].payload = payloads[i];
    pool.DecodeAll(slots);
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (payloads[i] == "bad") {
        EXPECT_FALSE(slots[i].status.ok()) << i;
        EXPECT_TRUE(slots[i].record.documents.empty()) << i;
      } else {
        ASSERT_TRUE(slots[i].status.ok()) << i;
        ASSERT_EQ(slots[i].record.documents.size(), 1u) << i;
        EXPECT_EQ(slots[i].record.documents[0].id, "id-" + payloads[i]);
      }
    }
  }
  EXPECT_EQ(own.calls + helper_a.calls + helper_b.calls, 50 * payloads.size());
  EXPECT_EQ(pool.parallel_rounds(), 50u);
  // Each decoder was used by exactly one thread, and the helpers were not the caller's.
  EXPECT_EQ(own.ThreadCount(), 1u);
  EXPECT_LE(helper_a.ThreadCount(), 1u);
  EXPECT_LE(helper_b.ThreadCount(), 1u);
  EXPECT_GT(helper_a.calls + helper_b.calls, 0u) << "the helpers never took part";
}

// Many short rounds back to back: helpers wake late, join or find the round closed, and the
// next round opens while they go back to sleep. Every slot must still be decoded exactly once
// per round and be complete when DecodeAll returns (under TSan: with no race on the slots).
TEST(DecodePoolTest, ManyShortRoundsWithHelpersJoiningLateOrNotAtAll) {
  RecordingDecoder own;
  RecordingDecoder helper_a;
  RecordingDecoder helper_b;
  DecodePool pool(&own, {&helper_a, &helper_b});
  std::vector<std::string> payloads;
  for (std::size_t i = 0; i < DecodePool::kMinParallelSlots + 8; ++i) {
    payloads.push_back(std::to_string(i));
  }
  std::vector<DecodeSlot> slots = Slots(payloads);
  constexpr int kRounds = 2000;
  for (int round = 0; round < kRounds; ++round) {
    for (DecodeSlot& slot : slots) slot.record.documents.clear();
    pool.DecodeAll(slots);
    for (std::size_t i = 0; i < slots.size(); ++i) {
      ASSERT_EQ(slots[i].record.documents.size(), 1u) << "round " << round << " slot " << i;
      ASSERT_EQ(slots[i].record.documents[0].id, "id-" + payloads[i]);
    }
  }
  EXPECT_EQ(own.calls + helper_a.calls + helper_b.calls, kRounds * payloads.size());
  EXPECT_EQ(pool.parallel_rounds(), static_cast<std::uint64_t>(kRounds));
}

TEST(DecodePoolTest, SmallRoundsAreDecodedInlineWithoutWakingHelpers) {
  RecordingDecoder own;
  RecordingDecoder helper;
  DecodePool pool(&own, {&helper});
  std::vector<std::string> payloads(DecodePool::kMinParallelSlots - 1, "7");
  std::vector<DecodeSlot> slots = Slots(payloads);
  pool.DecodeAll(slots);
  EXPECT_EQ(own.calls, payloads.size());
  EXPECT_EQ(helper.calls, 0u);
  EXPECT_EQ(pool.parallel_rounds(), 0u);
  for (const DecodeSlot& slot : slots) EXPECT_EQ(slot.record.documents.at(0).id, "id-7");
}

TEST(DecodePoolTest, WithoutHelpersTheCallerDecodesEverything) {
  RecordingDecoder own;
  DecodePool pool(&own, {});
  std::vector<std::string> payloads(1000, "1");
  std::vector<DecodeSlot> slots = Slots(payloads);
  pool.DecodeAll(slots);
  EXPECT_EQ(own.calls, 1000u);
  EXPECT_EQ(pool.threads(), 1u);
}

TEST(DecodePoolTest, DestroyingAnIdlePoolStopsItsHelpers) {
  RecordingDecoder own;
  RecordingDecoder helper;
  // A helper that never saw a round must still see the stop: a hang here is the failure.
  { DecodePool pool(&own, {&helper}); }
  EXPECT_EQ(helper.calls, 0u);
}

}  // namespace
}  // namespace cdc::kafka
