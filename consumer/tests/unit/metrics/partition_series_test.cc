#include <string>

#include <gtest/gtest.h>

#include "metrics/metrics.h"

namespace cdc {
namespace {

// The value on `series`'s line in the exposition text, or "" when the series is absent.
std::string Value(const Metrics& metrics, const std::string& series) {
  const std::string text = metrics.Serialize();
  const std::string prefix = series + " ";
  const std::size_t at = text.find("\n" + prefix);
  if (at == std::string::npos) return "";
  const std::size_t start = at + 1 + prefix.size();
  return text.substr(start, text.find('\n', start) - start);
}

TEST(PartitionSeriesTest, EverySetUpdatesTheOneSeriesOfItsPartition) {
  Metrics metrics;
  for (int i = 1; i <= 3; ++i) {
    metrics.SetCommittedOffset(3, 100.0 * i);
    metrics.SetConsumerLag(3, 10.0 * i);
  }
  metrics.SetCommittedOffset(0, 7);
  EXPECT_EQ(Value(metrics, R"(cdc_committed_offset{partition="3"})"), "300");
  EXPECT_EQ(Value(metrics, R"(cdc_consumer_lag_messages{partition="3"})"), "30");
  EXPECT_EQ(Value(metrics, R"(cdc_committed_offset{partition="0"})"), "7");
  EXPECT_EQ(Value(metrics, R"(cdc_consumer_lag_messages{partition="0"})"), "");
}

TEST(PartitionSeriesTest, RemovePartitionDropsBothSeriesAndASetBringsThemBack) {
  Metrics metrics;
  metrics.SetCommittedOffset(3, 300);
  metrics.SetConsumerLag(3, 30);
  metrics.SetCommittedOffset(4, 400);  // no lag series yet
  metrics.RemovePartition(3);
  metrics.RemovePartition(4);
  metrics.RemovePartition(5);  // never set: nothing happens
  EXPECT_EQ(Value(metrics, R"(cdc_committed_offset{partition="3"})"), "");
  EXPECT_EQ(Value(metrics, R"(cdc_consumer_lag_messages{partition="3"})"), "");
  EXPECT_EQ(Value(metrics, R"(cdc_committed_offset{partition="4"})"), "");
  // Reassigned later: fresh series, not the removed ones.
  metrics.SetCommittedOffset(3, 5);
  EXPECT_EQ(Value(metrics, R"(cdc_committed_offset{partition="3"})"), "5");
  EXPECT_EQ(Value(metrics, R"(cdc_consumer_lag_messages{partition="3"})"), "");
}

}  // namespace
}  // namespace cdc
