// Group membership changes on the librdkafka mock cluster: a second consumer joining (eager and
// cooperative-sticky assignors) and a lost assignment. Every record is delivered at least once,
// everything is committed at the end, and no offset is ever stored for a partition after it was
// revoked or lost (until it is assigned again).
#include <gtest/gtest.h>

#include "integration/pipeline_harness.h"

namespace cdc::testing {
namespace {

using std::chrono::milliseconds;

constexpr int kPartitions = 6;

class RebalanceTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.ok());
    ASSERT_TRUE(cluster_.CreateTopic(topic_, kPartitions));
    ASSERT_TRUE(cluster_.CreateTopic(topic_ + "-dlq", 1));
  }
  PipelineOptions Options(EventLog* log, const char* strategy) {
    auto options = MockPipelineOptions(cluster_.bootstraps(), topic_, group_);
    options.kafka.rdkafka_overrides.push_back({"partition.assignment.strategy", strategy});
    options.kafka.batch_max_records = 50;
    options.kafka.observer_for_test = log->Observer();
    return options;
  }

  MockCluster cluster_;
  std::string topic_ = "tidb-cdc";
  std::string group_ = "cdc-rebalance";
  Metrics metrics_a_;
  Metrics metrics_b_;
};

TEST_P(RebalanceTest, SecondConsumerJoinsWithoutLossOrStoresForRevokedPartitions) {
  TestProducer producer(cluster_.bootstraps());
  ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, 0, 1200));
  EventLog log_a;
  EventLog log_b;
  // Acknowledgements arrive 30 ms after submission, so records are in flight at the revoke.
  RunningPipeline a(Options(&log_a, GetParam()), FakeSink::Options::Delay(milliseconds(30)),
                    &metrics_a_);
  ASSERT_TRUE(a.start_status().ok()) << a.start_status().ToString();
  ASSERT_TRUE(WaitFor([&] { return a.sink().delivered() >= 200; }, milliseconds(30000)));
  RunningPipeline b(Options(&log_b, GetParam()), FakeSink::Options::Delay(milliseconds(30)),
                    &metrics_b_);
  ASSERT_TRUE(b.start_status().ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto na = a.stats().assigned_partitions.load();
        const auto nb = b.stats().assigned_partitions.load();
        return nb > 0 && na > 0 && na + nb == kPartitions;
      },
      milliseconds(40000)))
      << "a=" << a.stats().assigned_partitions.load()
      << " b=" << b.stats().assigned_partitions.load();
  ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, 1200, 600));
  const auto highs = HighWatermarks(cluster_.bootstraps(), topic_, kPartitions);
  ASSERT_TRUE(WaitFor(
      [&] {
        return DistinctDelivered({a.sink().DeliveredRefs(), b.sink().DeliveredRefs()}).size() >=
               1800;
      },
      milliseconds(40000)));
  EXPECT_GT(b.sink().delivered(), 0u) << "the newcomer got work";
  // B leaves; A takes every partition back and finishes alone, so that its final commit is not
  // refused by a rebalance in progress (the mock refuses commits while the group rebalances; the
  // revoked consumer's commit may be refused too, which costs redelivery, never loss).
  ASSERT_TRUE(b.Stop().ok());
  ASSERT_TRUE(WaitFor([&] { return a.stats().assigned_partitions.load() == kPartitions; },
                      milliseconds(40000)));
  // A finishes alone; the background commit (every second) then holds every high watermark.
  ASSERT_TRUE(WaitFor([&] { return CommittedEquals(cluster_.bootstraps(), group_, topic_, highs); },
                      milliseconds(40000)));
  ASSERT_TRUE(a.Stop().ok());

  EXPECT_GE(a.stats().revokes.load(), 2u) << "one revoke for the join, one on close";
  EXPECT_EQ(a.stats().lost_assignments.load(), 0u);
  ExpectNoStoreAfterRevoke(log_a.events());
  ExpectNoStoreAfterRevoke(log_b.events());
  EXPECT_TRUE(CommittedEquals(cluster_.bootstraps(), group_, topic_, highs));
}

INSTANTIATE_TEST_SUITE_P(Assignors, RebalanceTest,
                         ::testing::Values("range,roundrobin", "cooperative-sticky"),
                         [](const auto& row) {
                           return std::string(row.param[0] == 'c' ? "Cooperative" : "Eager");
                         });

class LostAssignmentTest : public RebalanceTest {};

// The coordinator forgets the member (a heartbeat answered UNKNOWN_MEMBER_ID): librdkafka reports
// the assignment as lost. Nothing is committed for it, acknowledgements still in flight are
// ignored, and after rejoining every record is delivered and committed. The sink is full when the
// loss happens, so every partition is paused by back-pressure at that moment.
// Regression: librdkafka keeps an application pause across assignments; partitions lost while
// paused came back paused and the consumer stalled for good.
TEST_F(LostAssignmentTest, LostWhilePausedDropsStateAndRecovers) {
  TestProducer producer(cluster_.bootstraps());
  ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, 0, 1200));
  const auto highs = HighWatermarks(cluster_.bootstraps(), topic_, kPartitions);
  EventLog log;
  RunningPipeline run(Options(&log, "range,roundrobin"), FakeSink::Options::Hold(100), &metrics_a_);
  ASSERT_TRUE(run.start_status().ok());
  ASSERT_TRUE(WaitFor([&] { return log.Count(SourceEvent::Kind::kPaused) >= kPartitions; },
                      milliseconds(30000)));
  constexpr std::int16_t kHeartbeatApi = 12;
  rd_kafka_mock_push_request_errors(cluster_.raw(), kHeartbeatApi, 1,
                                    RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID);
  ASSERT_TRUE(
      WaitFor([&] { return run.stats().lost_assignments.load() >= 1; }, milliseconds(20000)));
  ASSERT_TRUE(WaitFor([&] { return log.Count(SourceEvent::Kind::kAssigned) >= 2 * kPartitions; },
                      milliseconds(30000)));
  run.sink().Release();  // the records held before the loss are acknowledged now: stale, ignored
  ASSERT_TRUE(
      WaitFor([&] { return DistinctDelivered({run.sink().DeliveredRefs()}).size() >= 1200; },
              milliseconds(60000)))
      << DistinctDelivered({run.sink().DeliveredRefs()}).size();
  EXPECT_TRUE(WaitFor([&] { return CommittedEquals(cluster_.bootstraps(), group_, topic_, highs); },
                      milliseconds(20000)));
  ASSERT_TRUE(run.Stop().ok());
  EXPECT_GE(log.Count(SourceEvent::Kind::kLost), static_cast<std::size_t>(kPartitions));
  ExpectNoStoreAfterRevoke(log.events());
  EXPECT_TRUE(CommittedEquals(cluster_.bootstraps(), group_, topic_, highs));
}

}  // namespace
}  // namespace cdc::testing
