#include <string>

#include <gtest/gtest.h>

#include "metrics/metrics.h"

namespace cdc {
namespace {

// cdc_events_total's line for one label set in the exposition text, or "" when absent.
std::string EventsLine(const Metrics& metrics, const std::string& labels) {
  const std::string text = metrics.Serialize();
  const std::string prefix = "cdc_events_total{" + labels + "} ";
  const std::size_t at = text.find(prefix);
  if (at == std::string::npos) return "";
  return text.substr(at + prefix.size(), text.find('\n', at) - at - prefix.size());
}

TEST(EventRunCounterTest, CountsEveryDocumentOfInterleavedRuns) {
  Metrics metrics;
  // Texts that change between runs but compare equal within one: a run is decided by content,
  // not by where the text lives.
  const std::string users_a = "users";
  const std::string users_b = "users";
  {
    EventRunCounter events(&metrics);
    events.Count("appdb", users_a, Op::kInsert);
    events.Count("appdb", users_b, Op::kInsert);
    events.Count("appdb", "orders", Op::kInsert);
    events.Count("appdb", users_a, Op::kUpdate);
    events.Count("appdb", users_a, Op::kInsert);
    events.Count("otherdb", users_a, Op::kInsert);
    events.Flush();
    // A flushed counter starts a new run; the destructor flushes the last one.
    events.Count("appdb", users_a, Op::kInsert);
  }
  EXPECT_EQ(EventsLine(metrics, R"(database="appdb",op="insert",table="users")"), "4");
  EXPECT_EQ(EventsLine(metrics, R"(database="appdb",op="insert",table="orders")"), "1");
  EXPECT_EQ(EventsLine(metrics, R"(database="appdb",op="update",table="users")"), "1");
  EXPECT_EQ(EventsLine(metrics, R"(database="otherdb",op="insert",table="users")"), "1");
}

TEST(EventRunCounterTest, WithoutMetricsNothingIsCounted) {
  EventRunCounter events(nullptr);
  events.Count("appdb", "users", Op::kDelete);
  events.Flush();  // must not touch a null Metrics
}

}  // namespace
}  // namespace cdc
