// Pipeline on the librdkafka mock cluster with a fake sink: plain flow, poison records to the
// dead-letter topic, at-least-once offsets, graceful shutdown, back-pressure and readiness.
#include <algorithm>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "integration/pipeline_harness.h"

namespace cdc::testing {
namespace {

using std::chrono::milliseconds;

class PipelineFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.ok());
    ASSERT_TRUE(cluster_.CreateTopic(topic_, kPartitions));
    ASSERT_TRUE(cluster_.CreateTopic(topic_ + "-dlq", 1));
  }
  PipelineOptions Options() { return MockPipelineOptions(cluster_.bootstraps(), topic_, group_); }

  static constexpr int kPartitions = 4;
  MockCluster cluster_;
  std::string topic_ = "tidb-cdc";
  std::string group_ = "cdc-test";
  Metrics metrics_;
};

TEST_F(PipelineFlowTest, PlainFlowDeliversEveryRowAndCommitsTheHighWatermark) {
  TestProducer producer(cluster_.bootstraps(), "zstd");
  ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, 0, 400));
  // Watermarks carry no document but must still let the offset advance.
  const std::int64_t wm_ms = NowMs() - 2000;
  for (int p = 0; p < kPartitions; ++p) {
    ASSERT_TRUE(producer.Produce(topic_, p, "", WatermarkJson(wm_ms)));
  }
  ASSERT_TRUE(producer.Flush());
  const auto highs = HighWatermarks(cluster_.bootstraps(), topic_, kPartitions);
  ASSERT_EQ(highs.size(), static_cast<std::size_t>(kPartitions));

  RunningPipeline run(Options(), FakeSink::Options{}, &metrics_);
  ASSERT_TRUE(run.start_status().ok()) << run.start_status().ToString();
  ASSERT_TRUE(WaitFor([&] { return run.sink().delivered() >= 400; }, milliseconds(30000)));
  EXPECT_TRUE(WaitFor([&] { return run.pipeline().KafkaReachable(); }, milliseconds(5000)));
  EXPECT_TRUE(WaitFor([&] { return run.pipeline().SinkHealthy(); }, milliseconds(5000)));
  // The gauge shows the stored offset while the partition is assigned (it goes on revoke). Every
  // partition's, so that the watermark records produced last were read before the stop.
  const auto all_stored = [&] {
    const std::string text = metrics_.Serialize();
    for (int p = 0; p < kPartitions; ++p) {
      const std::string series = "cdc_committed_offset{partition=\"" + std::to_string(p) + "\"} " +
                                 std::to_string(highs[static_cast<std::size_t>(p)]) + "\n";
      if (text.find(series) == std::string::npos) return false;
    }
    return true;
  };
  EXPECT_TRUE(WaitFor(all_stored, milliseconds(5000))) << metrics_.Serialize();
  EXPECT_NE(metrics_.Serialize().find("cdc_ticdc_watermark_lag_seconds "), std::string::npos);
  ASSERT_TRUE(run.Stop().ok());

  EXPECT_EQ(run.sink().delivered(), 400u);  // one document per insert, none for watermarks
  EXPECT_EQ(DistinctDelivered({run.sink().DeliveredRefs()}).size(), 400u);
  EXPECT_TRUE(CommittedEquals(cluster_.bootstraps(), group_, topic_, highs));
  EXPECT_EQ(metrics_.Serialize().find("cdc_committed_offset{partition="), std::string::npos)
      << "series of revoked partitions are removed";
}

// librdkafka 2.0 re-checks a partition whose prefetch queue was full only when its broker thread
// wakes up, once a second without other traffic. A 1 KiB queue fills on every fetch, so 100
// refills would take about 100 s if the source did not wake the fetcher when it runs dry.
TEST_F(PipelineFlowTest, AFullPrefetchQueueDoesNotStallTheConsumer) {
  TestProducer producer(cluster_.bootstraps(), "lz4");
  constexpr int kRounds = 100;
  constexpr int kPerRound = 20;  // one small batch per partition and round
  for (int round = 0; round < kRounds; ++round) {
    ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, round * kPerRound, kPerRound));
  }
  PipelineOptions options = Options();
  options.kafka.rdkafka_overrides.emplace_back("queued.max.messages.kbytes", "1");
  options.kafka.rdkafka_overrides.emplace_back("max.partition.fetch.bytes", "1");
  // Health checks send metadata requests, which wake the broker thread too; keep them out.
  options.kafka.health_interval = std::chrono::minutes(10);
  RunningPipeline run(options, FakeSink::Options{}, &metrics_);
  ASSERT_TRUE(run.start_status().ok()) << run.start_status().ToString();
  // Not scaled for sanitizers: the stall being ruled out is a wall-clock timer.
  EXPECT_TRUE(WaitFor([&] { return run.sink().delivered() >= kRounds * kPerRound; },
                      Unscaled(milliseconds(40000))))
      << "delivered " << run.sink().delivered() << " of " << kRounds * kPerRound;
  EXPECT_GT(run.stats().fetcher_wakeups.load(), 0u);
  ASSERT_TRUE(run.Stop().ok());
  EXPECT_EQ(DistinctDelivered({run.sink().DeliveredRefs()}).size(),
            static_cast<std::size_t>(kRounds * kPerRound));
}

TEST_F(PipelineFlowTest, PoisonRecordsGoToTheDeadLetterTopicAndTheOffsetMovesOn) {
  TestProducer producer(cluster_.bootstraps(), "lz4");
  ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, 0, 40));
  const std::vector<std::string> poison = {
      "not json at all", R"({"id":0,"database":"appdb","table":"users","type":"INSERT")",
      R"({"id":0,"database":"appdb","table":"users","isDdl":false,"type":"EXPLODE","data":[]})"};
  for (std::size_t i = 0; i < poison.size(); ++i) {
    ASSERT_TRUE(
        producer.Produce(topic_, static_cast<std::int32_t>(i % kPartitions), "k", poison[i]));
  }
  ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, 40, 40));
  const auto highs = HighWatermarks(cluster_.bootstraps(), topic_, kPartitions);

  RunningPipeline run(Options(), FakeSink::Options{}, &metrics_);
  ASSERT_TRUE(run.start_status().ok()) << run.start_status().ToString();
  ASSERT_TRUE(WaitFor([&] { return run.sink().delivered() >= 80; }, milliseconds(30000)));
  ASSERT_TRUE(WaitFor([&] { return run.stats().dead_letters_written.load() >= poison.size(); },
                      milliseconds(20000)));
  ASSERT_TRUE(run.Stop().ok());
  EXPECT_TRUE(CommittedEquals(cluster_.bootstraps(), group_, topic_, highs));

  auto letters = ReadTopic(cluster_.bootstraps(), topic_ + "-dlq", 1, poison.size(),
                           Scaled(milliseconds(10000)));
  ASSERT_EQ(letters.size(), poison.size());
  std::map<std::string, const ConsumedRecord*> by_value;
  for (const auto& l : letters) by_value[l.value] = &l;
  for (std::size_t i = 0; i < poison.size(); ++i) {
    ASSERT_TRUE(by_value.contains(poison[i])) << "original value kept byte for byte: " << i;
    const auto& h = by_value[poison[i]]->headers;
    ASSERT_TRUE(h.contains("cdc.reason"));
    EXPECT_EQ(h.at("cdc.reason").rfind("decode:", 0), 0u) << h.at("cdc.reason");
    EXPECT_EQ(h.at("cdc.source.topic"), topic_);
    EXPECT_EQ(h.at("cdc.source.partition"), std::to_string(i % kPartitions));
    EXPECT_EQ(h.at("cdc.source.offset"), "10");  // after 10 inserts on each partition
    EXPECT_TRUE(h.contains("cdc.document.id"));
  }
  // One dead letter counted per poison record, under decode:<slug> reasons.
  double counted = 0;
  std::istringstream scrape(metrics_.Serialize());
  for (std::string line; std::getline(scrape, line);) {
    if (line.rfind("cdc_dead_letters_total{reason=\"decode:", 0) == 0) {
      counted += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  EXPECT_EQ(counted, static_cast<double>(poison.size()));
}

// At-least-once: a sink that never acknowledges leaves nothing committed, and the next run
// delivers every record again.
TEST_F(PipelineFlowTest, UnacknowledgedRecordsAreNotCommittedAndAreRedelivered) {
  TestProducer producer(cluster_.bootstraps());
  ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, 0, 100));
  const auto highs = HighWatermarks(cluster_.bootstraps(), topic_, kPartitions);
  {
    RunningPipeline run(Options(), FakeSink::Options::Hold(), &metrics_);
    ASSERT_TRUE(run.start_status().ok());
    ASSERT_TRUE(WaitFor([&] { return run.sink().in_flight() >= 100; }, milliseconds(30000)));
    ASSERT_TRUE(run.Stop().ok());
    EXPECT_EQ(run.sink().delivered(), 0u);
  }
  for (const auto& [partition, offset] :
       CommittedOffsets(cluster_.bootstraps(), group_, topic_, kPartitions)) {
    EXPECT_LT(offset, 0) << "partition " << partition << " committed without any ack";
  }
  RunningPipeline again(Options(), FakeSink::Options{}, &metrics_);
  ASSERT_TRUE(again.start_status().ok());
  ASSERT_TRUE(WaitFor([&] { return again.sink().delivered() >= 100; }, milliseconds(30000)));
  ASSERT_TRUE(again.Stop().ok());
  EXPECT_EQ(DistinctDelivered({again.sink().DeliveredRefs()}).size(), 100u);
  EXPECT_TRUE(CommittedEquals(cluster_.bootstraps(), group_, topic_, highs));
}

// Graceful stop: in-flight records are flushed by the sink within the deadline and exactly the
// acknowledged contiguous prefix is committed; a second run delivers the rest.
// Finding F3 (docs/reliability.md): a member stopped while its group rebalances gets its final
// commit refused (ILLEGAL_GENERATION). Nothing acknowledged is lost (the next owner re-reads
// from the last committed offset), so the stop must not report an error and the process must
// exit 0. The mock refuses exactly the final commit: auto-commit is off, so no other commit
// consumes the injected error first.
TEST_F(PipelineFlowTest, AFinalCommitRefusedByARebalanceIsNotAnError) {
  TestProducer producer(cluster_.bootstraps());
  ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, 0, 200));
  auto options = Options();
  options.kafka.rdkafka_overrides.emplace_back("enable.auto.commit", "false");
  RunningPipeline run(std::move(options), FakeSink::Options{}, &metrics_);
  ASSERT_TRUE(run.start_status().ok()) << run.start_status().ToString();
  ASSERT_TRUE(WaitFor([&] { return run.sink().delivered() >= 200; }, milliseconds(30000)));
  constexpr std::int16_t kApiOffsetCommit = 8;  // Kafka protocol ApiKey
  rd_kafka_mock_push_request_errors(cluster_.raw(), kApiOffsetCommit, 1,
                                    RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION);
  const Status stopped = run.Stop();
  EXPECT_TRUE(stopped.ok()) << stopped.ToString();
}

TEST_F(PipelineFlowTest, GracefulStopCommitsTheAcknowledgedPrefix) {
  TestProducer producer(cluster_.bootstraps());
  ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, 0, 2000));
  const auto highs = HighWatermarks(cluster_.bootstraps(), topic_, kPartitions);
  std::vector<std::pair<std::int32_t, std::int64_t>> first_run;
  {
    auto options = Options();
    options.kafka.batch_max_records = 50;  // small batches so that the stop lands mid-stream
    RunningPipeline run(std::move(options), FakeSink::Options::Delay(milliseconds(300), 100),
                        &metrics_);
    ASSERT_TRUE(run.start_status().ok());
    ASSERT_TRUE(WaitFor([&] { return run.sink().delivered() >= 200; }, milliseconds(30000)));
    ASSERT_TRUE(run.Stop().ok());
    EXPECT_EQ(run.sink().in_flight(), 0u) << "the sink flushed everything it had accepted";
    first_run = run.sink().DeliveredRefs();
  }
  ASSERT_LT(first_run.size(), 2000u) << "stopped mid-stream";
  // The committed offset of each partition is one past its delivered contiguous prefix.
  std::map<std::int32_t, std::set<std::int64_t>> delivered;
  for (const auto& [p, o] : first_run) delivered[p].insert(o);
  const auto committed = CommittedOffsets(cluster_.bootstraps(), group_, topic_, kPartitions);
  for (int p = 0; p < kPartitions; ++p) {
    std::int64_t prefix = 0;
    while (delivered[p].contains(prefix)) ++prefix;
    EXPECT_EQ(committed.at(p) < 0 ? 0 : committed.at(p), prefix)
        << "partition " << p << " delivered " << delivered[p].size() << " first "
        << (delivered[p].empty() ? -1 : *delivered[p].begin()) << " last "
        << (delivered[p].empty() ? -1 : *delivered[p].rbegin());
  }
  RunningPipeline again(Options(), FakeSink::Options{}, &metrics_);
  ASSERT_TRUE(again.start_status().ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        return DistinctDelivered({first_run, again.sink().DeliveredRefs()}).size() >= 2000;
      },
      milliseconds(30000)));
  ASSERT_TRUE(again.Stop().ok());
  EXPECT_TRUE(CommittedEquals(cluster_.bootstraps(), group_, topic_, highs));
}

// Back-pressure: a full sink pauses every partition, buffered bytes stay bounded, the consumer
// keeps polling (no eviction although the sink is stuck for longer than max.poll.interval.ms),
// and everything flows once the sink recovers, exactly once since no rebalance happened.
TEST_F(PipelineFlowTest, FullSinkPausesPartitionsWithoutEvictionAndResumes) {
  TestProducer producer(cluster_.bootstraps());
  ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, 0, 3000));
  auto options = Options();
  options.kafka.max_buffered_bytes = 256 * 1024;
  options.kafka.batch_max_records = 100;
  options.kafka.rdkafka_overrides.push_back({"max.poll.interval.ms", "6000"});
  RunningPipeline run(std::move(options), FakeSink::Options::Hold(300), &metrics_);
  ASSERT_TRUE(run.start_status().ok());
  ASSERT_TRUE(WaitFor([&] { return run.stats().pauses.load() >= 1 && run.sink().refused() > 0; },
                      milliseconds(30000)));
  // Stuck for longer than max.poll.interval.ms: polling continues, so no revoke may happen.
  // (A wall-clock bound: max.poll.interval.ms does not stretch under sanitizers.)
  EXPECT_FALSE(
      WaitFor([&] { return run.stats().revokes.load() > 0; }, Unscaled(milliseconds(7000))));
  const std::uint64_t read_while_paused = run.stats().records_read.load();
  EXPECT_LT(read_while_paused, 3000u) << "paused partitions stopped fetching";
  // Bounded: what the sink holds + one held batch, far below the 3000 records produced.
  EXPECT_LE(run.stats().peak_buffered_bytes.load(), 256u * 1024u + 100u * 2048u);
  EXPECT_NE(metrics_.Serialize().find("cdc_paused_partitions 4"), std::string::npos);
  run.sink().Release();
  ASSERT_TRUE(WaitFor([&] { return run.sink().delivered() >= 3000; }, milliseconds(60000)));
  ASSERT_TRUE(run.Stop().ok());
  EXPECT_EQ(run.stats().revokes.load(), 1u) << "only the final close";
  EXPECT_EQ(run.sink().delivered(), 3000u) << "no redelivery: the group never evicted us";
  // Capacity + one batch + one record per partition: a partition is paused only once a record
  // of its assignment was consumed (KafkaSource::SyncPausedPartitions), so each one not yet read
  // when the sink filled up can add its first record to the held batch (seen in Release builds:
  // 402).
  EXPECT_LE(run.sink().max_in_flight(), 300u + 100u + kPartitions);
}

// librdkafka 2.0.2 resumes a partition paused before the application consumed any record from
// it at its fetch position, past the prefetched records the pause purged; the source must not
// commit past them. A sink that is full after its first record makes back-pressure start
// before most partitions delivered anything.
TEST_F(PipelineFlowTest, PartitionsPausedBeforeTheirFirstRecordLoseNothing) {
  TestProducer producer(cluster_.bootstraps());
  ASSERT_TRUE(ProduceUsers(producer, topic_, kPartitions, 0, 400));
  const auto highs = HighWatermarks(cluster_.bootstraps(), topic_, kPartitions);
  auto options = Options();
  options.kafka.batch_max_records = 1;
  RunningPipeline run(std::move(options), FakeSink::Options::Hold(1), &metrics_);
  ASSERT_TRUE(run.start_status().ok());
  ASSERT_TRUE(WaitFor([&] { return run.sink().refused() > 0; }, milliseconds(30000)));
  run.sink().Release();
  ASSERT_TRUE(WaitFor([&] { return DistinctDelivered({run.sink().DeliveredRefs()}).size() >= 400; },
                      milliseconds(30000)))
      << DistinctDelivered({run.sink().DeliveredRefs()}).size();
  ASSERT_TRUE(run.Stop().ok());
  EXPECT_TRUE(CommittedEquals(cluster_.bootstraps(), group_, topic_, highs));
}

TEST_F(PipelineFlowTest, ReadinessFollowsKafkaAndTheSink) {
  RunningPipeline run(Options(), FakeSink::Options{}, &metrics_);
  ASSERT_TRUE(run.start_status().ok());
  ASSERT_TRUE(WaitFor([&] { return run.pipeline().KafkaReachable(); }, milliseconds(10000)));
  ASSERT_TRUE(WaitFor([&] { return run.pipeline().SinkHealthy(); }, milliseconds(5000)));
  run.sink().SetHealthy(false);
  EXPECT_TRUE(WaitFor([&] { return !run.pipeline().SinkHealthy(); }, milliseconds(5000)));
  run.sink().SetHealthy(true);
  EXPECT_TRUE(WaitFor([&] { return run.pipeline().SinkHealthy(); }, milliseconds(5000)));
  ASSERT_EQ(rd_kafka_mock_broker_set_down(cluster_.raw(), 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_TRUE(WaitFor([&] { return !run.pipeline().KafkaReachable(); }, milliseconds(15000)));
  ASSERT_EQ(rd_kafka_mock_broker_set_up(cluster_.raw(), 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_TRUE(WaitFor([&] { return run.pipeline().KafkaReachable(); }, milliseconds(15000)));
  EXPECT_TRUE(run.Stop().ok());
}

}  // namespace
}  // namespace cdc::testing
