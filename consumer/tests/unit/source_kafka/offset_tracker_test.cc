#include "source/kafka/offset_tracker.h"

#include <algorithm>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cdc::kafka {
namespace {

using AckResult = OffsetTracker::AckResult;

// One table row: a script of steps, each a letter and numbers, run against a fresh tracker with
// partitions 0..3 assigned. Steps:
//   R p o n   register offset o of partition p with n documents (n*100 bytes)
//   A p o     ack one document of (p, o) with the partition's current generation; expect counted
//   I p o     ack as above, expect it ignored (unknown offset or already finished)
//   S p o     ack with the generation the partition had before its last revoke/restart
//   C p v     expect committable offset v ("-" for none)
//   B v       expect buffered bytes
//   X p       revoke p;   N p   assign p again (new generation)
struct Case {
  const char* name;
  const char* script;
};

const Case kCases[] = {
    {"in_order", "R 0 0 1 R 0 1 1 C 0 - A 0 0 C 0 1 A 0 1 C 0 2 B 0"},
    {"out_of_order", "R 0 0 1 R 0 1 1 R 0 2 1 A 0 2 A 0 1 C 0 - B 100 A 0 0 C 0 3 B 0"},
    {"multi_document_record", "R 0 5 3 A 0 5 A 0 5 C 0 - B 300 A 0 5 C 0 6 B 0 I 0 5"},
    {"gaps_from_compaction", "R 0 10 1 R 0 13 1 R 0 20 1 A 0 13 C 0 - A 0 10 C 0 14 A 0 20 C 0 21"},
    {"gap_then_unknown_ack", "R 0 10 1 R 0 13 1 I 0 11 I 0 12 A 0 10 C 0 11"},
    {"zero_doc_first_finishes_at_once", "R 0 7 0 C 0 8 R 0 8 0 C 0 9 B 0"},
    {"zero_doc_waits_behind_pending", "R 0 1 1 R 0 2 0 R 0 3 0 C 0 - A 0 1 C 0 4"},
    {"zero_doc_between_pending", "R 0 1 1 R 0 2 0 R 0 3 1 A 0 3 C 0 - A 0 1 C 0 4"},
    {"over_ack_ignored", "R 0 1 1 A 0 1 I 0 1 C 0 2"},
    {"stale_generation_after_revoke",
     "R 0 1 1 R 0 2 1 X 0 N 0 S 0 1 S 0 2 C 0 - R 0 1 1 A 0 1 C 0 2"},
    {"revoke_releases_bytes", "R 0 1 2 R 1 1 3 B 500 X 0 B 300 A 1 1 A 1 1 A 1 1 B 0 C 1 2"},
    {"partitions_independent", "R 0 1 1 R 1 1 1 A 1 1 C 1 2 C 0 - A 0 1 C 0 2"},
    {"seek_back_restarts_generation",
     "R 0 5 1 R 0 6 1 A 0 5 C 0 6 R 0 3 1 C 0 - S 0 6 A 0 3 C 0 4"},
    {"ack_unassigned_partition", "I 3 1 X 3 I 3 1"},
};

class OffsetTrackerTableTest : public ::testing::TestWithParam<Case> {};

std::string Describe(const std::string& script, std::size_t step) {
  return "step " + std::to_string(step) + " of \"" + script + "\"";
}

TEST_P(OffsetTrackerTableTest, RunsScript) {
  OffsetTracker tracker;
  std::map<std::int32_t, std::uint64_t> previous_generation;
  for (std::int32_t p = 0; p < 4; ++p) tracker.Assign(p);
  std::istringstream in(GetParam().script);
  std::string op;
  std::size_t step = 0;
  while (in >> op) {
    ++step;
    const std::string where = Describe(GetParam().script, step);
    std::int32_t p = 0;
    std::int64_t o = 0;
    if (op == "R") {
      std::size_t n = 0;
      in >> p >> o >> n;
      const auto before = tracker.Generation(p);
      auto reg = tracker.Register(p, o, n, n * 100);
      ASSERT_TRUE(reg.has_value()) << where;
      if (before && *before != reg->ref.generation) previous_generation[p] = *before;
      EXPECT_EQ(reg->ref.offset, o) << where;
    } else if (op == "A" || op == "I") {
      in >> p >> o;
      const std::uint64_t gen = tracker.Generation(p).value_or(0);
      const AckResult r = tracker.Ack(MessageRef{.partition = p, .offset = o, .generation = gen});
      if (op == "A") {
        EXPECT_NE(r, AckResult::kIgnored) << where;
      } else {
        EXPECT_EQ(r, AckResult::kIgnored) << where;
      }
    } else if (op == "S") {
      in >> p >> o;
      ASSERT_TRUE(previous_generation.contains(p)) << where;
      EXPECT_EQ(tracker.Ack(
                    MessageRef{.partition = p, .offset = o, .generation = previous_generation[p]}),
                AckResult::kIgnored)
          << where;
    } else if (op == "C") {
      std::string v;
      in >> p >> v;
      const auto c = tracker.Committable(p);
      if (v == "-") {
        EXPECT_FALSE(c.has_value()) << where << " got " << c.value_or(-1);
      } else {
        ASSERT_TRUE(c.has_value()) << where;
        EXPECT_EQ(*c, std::stoll(v)) << where;
      }
    } else if (op == "B") {
      std::size_t v = 0;
      in >> v;
      EXPECT_EQ(tracker.buffered_bytes(), v) << where;
    } else if (op == "X") {
      in >> p;
      previous_generation[p] = tracker.Generation(p).value_or(0);
      tracker.Revoke(p);
      EXPECT_FALSE(tracker.IsAssigned(p)) << where;
    } else if (op == "N") {
      in >> p;
      const std::uint64_t gen = tracker.Assign(p);
      EXPECT_NE(gen, previous_generation[p]) << where;
    } else {
      FAIL() << "unknown op " << op;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Scripts, OffsetTrackerTableTest, ::testing::ValuesIn(kCases),
                         [](const auto& row) { return std::string(row.param.name); });

TEST(OffsetTrackerTest, RegisterOnUnassignedPartitionIsRefused) {
  OffsetTracker tracker;
  EXPECT_FALSE(tracker.Register(1, 0, 1, 10).has_value());
  EXPECT_EQ(tracker.buffered_bytes(), 0u);
}

TEST(OffsetTrackerTest, GenerationsAreNeverReused) {
  OffsetTracker tracker;
  std::vector<std::uint64_t> seen;
  for (int i = 0; i < 10; ++i) {
    seen.push_back(tracker.Assign(i % 2));
    tracker.Revoke(i % 2);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
}

TEST(OffsetTrackerTest, ZeroDocumentRecordReportsAdvance) {
  OffsetTracker tracker;
  tracker.Assign(0);
  auto reg = tracker.Register(0, 42, 0, 0);
  ASSERT_TRUE(reg);
  EXPECT_TRUE(reg->advanced);
  EXPECT_EQ(tracker.Committable(0), 43);
}

// Many partitions, random gaps and documents per record, acks in random order: after every ack
// the committable offset must equal the one computed from scratch (one past the longest prefix
// of read records that are completely acknowledged).
TEST(OffsetTrackerTest, RandomAcksMatchReferenceModelAcrossManyPartitions) {
  constexpr int kPartitions = 64;
  constexpr int kRecordsPerPartition = 60;
  std::mt19937_64 rng(12345);
  OffsetTracker tracker;
  struct Rec {
    std::int64_t offset;
    int docs;
    int acked = 0;
  };
  std::vector<std::vector<Rec>> model(kPartitions);
  std::vector<MessageRef> pending_acks;
  for (int p = 0; p < kPartitions; ++p) {
    tracker.Assign(p);
    std::int64_t offset = static_cast<std::int64_t>(rng() % 5);
    for (int i = 0; i < kRecordsPerPartition; ++i) {
      offset += 1 + static_cast<std::int64_t>(rng() % 3);  // gaps like transaction markers
      const int docs = static_cast<int>(rng() % 4);        // 0 = watermark / DDL-less record
      auto reg = tracker.Register(p, offset, static_cast<std::size_t>(docs), 10);
      ASSERT_TRUE(reg);
      model[p].push_back(Rec{.offset = offset, .docs = docs});
      for (int d = 0; d < docs; ++d) pending_acks.push_back(reg->ref);
    }
  }
  std::shuffle(pending_acks.begin(), pending_acks.end(), rng);
  auto expected = [&](int p) -> std::optional<std::int64_t> {
    std::optional<std::int64_t> c;
    for (const Rec& r : model[p]) {
      if (r.acked < r.docs) break;
      c = r.offset + 1;
    }
    return c;
  };
  for (const MessageRef& ref : pending_acks) {
    ASSERT_NE(tracker.Ack(ref), AckResult::kIgnored);
    for (Rec& r : model[ref.partition]) {
      if (r.offset == ref.offset) ++r.acked;
    }
    ASSERT_EQ(tracker.Committable(ref.partition), expected(ref.partition));
  }
  for (int p = 0; p < kPartitions; ++p) {
    EXPECT_EQ(tracker.Committable(p), model[p].back().offset + 1);
  }
  EXPECT_EQ(tracker.buffered_bytes(), 0u);
  EXPECT_EQ(tracker.pending_records(), 0u);
}

}  // namespace
}  // namespace cdc::kafka
