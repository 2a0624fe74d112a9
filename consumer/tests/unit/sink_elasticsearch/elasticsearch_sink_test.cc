// ElasticsearchSink against the fake: plain flow, gzip, credentials, template, OpenSearch,
// back-pressure and shutdown.
#include "sink/elasticsearch/elasticsearch_sink.h"

#include <gtest/gtest.h>

#include "fakes/fake_elasticsearch.h"
#include "sink/elasticsearch/index_template.h"
#include "unit/sink_elasticsearch/es_test_helpers.h"

namespace cdc {
namespace {

using std::chrono::milliseconds;
using testing::FakeElasticsearch;
using testing::FakeElasticsearchOptions;
using testing::FakeFlavor;
using testing::FastOptions;
using testing::TestBatch;
using testing::TestId;
using testing::WaitFor;

class SinkTest : public ::testing::Test {
 protected:
  explicit SinkTest(FakeElasticsearchOptions fake_options = {}) : fake_(fake_options) {}
  void SetUp() override { ASSERT_TRUE(fake_.Start().ok()); }

  std::unique_ptr<ElasticsearchSink> StartSink(ElasticsearchSinkOptions options) {
    auto sink = std::make_unique<ElasticsearchSink>(std::move(options), &acks_, &dlq_, &metrics_);
    const Status s = sink->Start();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return sink;
  }
  static void Submit(ElasticsearchSink& sink, Batch batch) {
    ASSERT_TRUE(WaitFor([&] { return sink.TrySubmit(batch); }, milliseconds(10000)));
  }
  bool WaitAcks(std::size_t n) {
    return WaitFor([&] { return acks_.total() >= n; }, milliseconds(20000));
  }
  double Metric(const std::string& sample) {
    return testing::MetricValue(metrics_.Serialize(), sample);
  }

  FakeElasticsearch fake_;
  testing::RecordingAckSink acks_;
  testing::ControlledDeadLetterWriter dlq_;
  Metrics metrics_;
};

TEST_F(SinkTest, DeliversEveryRecordExactlyOnceInBulk) {
  auto options = FastOptions(fake_.url());
  options.bulk_max_docs = 500;
  auto sink = StartSink(options);
  for (int i = 0; i < 25; ++i) Submit(*sink, TestBatch(i * 100, 100));
  ASSERT_TRUE(WaitAcks(2500));
  EXPECT_EQ(acks_.delivered(), 2500u);
  EXPECT_EQ(acks_.duplicates(), 0u);
  EXPECT_EQ(fake_.DocumentCount(), 2500u);
  for (int i = 0; i < 2500; i += 97) EXPECT_EQ(fake_.ItemsReceived(TestId(i)), 1) << i;
  EXPECT_EQ(*fake_.Document("cdc-events", TestId(7)), testing::TestRecord(7).doc.source_json);
  EXPECT_LT(fake_.bulk_requests(), 100);  // batched, not one request per submit
  EXPECT_NE(fake_.last_bulk_target().find("refresh=false"), std::string::npos);
  EXPECT_NE(fake_.last_bulk_target().find("include_source_on_error=false"), std::string::npos);
  EXPECT_EQ(Metric(R"(cdc_events_total{database="appdb",op="insert",table="users"})"), 2500);
  EXPECT_EQ(Metric(R"(cdc_bulk_items_total{outcome="created"})"), 2500);
  EXPECT_EQ(Metric("cdc_sink_up"), 1);
  EXPECT_EQ(Metric("cdc_end_to_end_latency_seconds_count"), 2500);
  EXPECT_TRUE(sink->Stop(milliseconds(1000)).ok());
  EXPECT_EQ(sink->QueuedBytes(), 0u);
}

TEST_F(SinkTest, GzipBodiesWhenEnabledOnly) {
  auto options = FastOptions(fake_.url());
  options.gzip = true;
  auto sink = StartSink(options);
  Submit(*sink, TestBatch(0, 50));
  ASSERT_TRUE(WaitAcks(50));
  EXPECT_GT(fake_.gzipped_bulk_requests(), 0);
  EXPECT_EQ(fake_.gzipped_bulk_requests(), fake_.bulk_requests());
  ASSERT_TRUE(sink->Stop(milliseconds(1000)).ok());

  options.gzip = false;
  const auto before = fake_.gzipped_bulk_requests();
  auto plain = StartSink(options);
  Submit(*plain, TestBatch(50, 50));
  ASSERT_TRUE(WaitAcks(100));
  EXPECT_EQ(fake_.gzipped_bulk_requests(), before);
  EXPECT_EQ(fake_.DocumentCount(), 100u);
}

TEST_F(SinkTest, SendsBasicCredentials) {
  fake_.RequireAuthorization("Basic ZWxhc3RpYzpzM2NyZXQ=");  // elastic:s3cret
  auto options = FastOptions(fake_.url());
  options.username = "elastic";
  options.password = SecretString("s3cret");
  auto sink = StartSink(options);
  Submit(*sink, TestBatch(0, 10));
  ASSERT_TRUE(WaitAcks(10));
  EXPECT_TRUE(sink->Healthcheck().ok());
}

TEST_F(SinkTest, SendsApiKey) {
  fake_.RequireAuthorization("ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==");
  auto options = FastOptions(fake_.url());
  options.api_key = SecretString("VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==");
  auto sink = StartSink(options);
  Submit(*sink, TestBatch(0, 10));
  ASSERT_TRUE(WaitAcks(10));
}

TEST_F(SinkTest, RefusedCredentialsKeepRecordsUntilFixed) {
  fake_.RequireAuthorization("Basic ZWxhc3RpYzpzM2NyZXQ=");
  auto options = FastOptions(fake_.url());
  options.username = "elastic";
  options.password = SecretString("wrong");
  auto sink = StartSink(options);  // 401 at start is not fatal: the cluster may be mid-change
  Submit(*sink, TestBatch(0, 10));
  EXPECT_EQ(sink->Healthcheck().code(), ErrorCode::kPermanent);
  EXPECT_FALSE(WaitFor([&] { return acks_.total() > 0; }, milliseconds(300)));
  fake_.RequireAuthorization("");  // the operator fixes the user
  ASSERT_TRUE(WaitAcks(10));
  EXPECT_EQ(acks_.delivered(), 10u);
  EXPECT_EQ(dlq_.attempts(), 0);
}

TEST_F(SinkTest, InstallsElasticsearchTemplateOnce) {
  auto sink = StartSink(FastOptions(fake_.url()));
  ASSERT_EQ(fake_.template_puts(), 1);
  const std::string body = *fake_.Template("cdc-events");
  EXPECT_NE(body.find(R"("index_patterns":["cdc-events*"])"), std::string::npos);
  EXPECT_NE(body.find(R"("data":{"type":"flattened")"), std::string::npos);
  EXPECT_NE(body.find(R"("commit_ts":{"type":"unsigned_long"})"), std::string::npos);
  EXPECT_NE(body.find(R"("dynamic":false)"), std::string::npos);
  ASSERT_TRUE(sink->Stop(milliseconds(100)).ok());
  auto again = StartSink(FastOptions(fake_.url()));  // version current: no PUT
  EXPECT_EQ(fake_.template_puts(), 1);
}

TEST_F(SinkTest, UpgradesOlderTemplateButNeverDowngrades) {
  fake_.SetTemplate("cdc-events", R"({"index_patterns":["cdc-events*"],"version":0})");
  auto sink = StartSink(FastOptions(fake_.url()));
  EXPECT_EQ(fake_.template_puts(), 1);
  ASSERT_TRUE(sink->Stop(milliseconds(100)).ok());
  const std::string newer = R"({"index_patterns":["cdc-events*"],"version":)" +
                            std::to_string(es::kIndexTemplateVersion + 1) + "}";
  fake_.SetTemplate("cdc-events", newer);
  auto again = StartSink(FastOptions(fake_.url()));
  EXPECT_EQ(fake_.template_puts(), 1);
  EXPECT_EQ(*fake_.Template("cdc-events"), newer);
}

TEST_F(SinkTest, NoTemplateWhenDisabled) {
  auto options = FastOptions(fake_.url());
  options.install_template = false;
  auto sink = StartSink(options);
  Submit(*sink, TestBatch(0, 3));
  ASSERT_TRUE(WaitAcks(3));
  EXPECT_EQ(fake_.template_puts(), 0);
}

class OldElasticsearchTest : public SinkTest {
 protected:
  OldElasticsearchTest() : SinkTest(Options()) {}
  static FakeElasticsearchOptions Options() {
    FakeElasticsearchOptions o;
    o.version = "8.17.2";
    return o;
  }
};

// 8.17 does not know include_source_on_error and would refuse every request carrying it.
TEST_F(OldElasticsearchTest, DoesNotSendIncludeSourceOnError) {
  auto sink = StartSink(FastOptions(fake_.url()));
  Submit(*sink, TestBatch(0, 5));
  ASSERT_TRUE(WaitAcks(5));
  EXPECT_EQ(acks_.delivered(), 5u);
  EXPECT_EQ(fake_.last_bulk_target().find("include_source_on_error"), std::string::npos);
}

class OpenSearchTest : public SinkTest {
 protected:
  OpenSearchTest() : SinkTest(Options()) {}
  static FakeElasticsearchOptions Options() {
    FakeElasticsearchOptions o;
    o.flavor = FakeFlavor::kOpenSearch;
    return o;
  }
};

TEST_F(OpenSearchTest, DetectsOpenSearchAndUsesFlatObject) {
  auto sink = StartSink(FastOptions(fake_.url()));
  ASSERT_TRUE(sink->Cluster().has_value());
  EXPECT_EQ(sink->Cluster()->distribution, es::Distribution::kOpenSearch);
  const std::string body = *fake_.Template("cdc-events");
  EXPECT_NE(body.find(R"("data":{"type":"flat_object"})"), std::string::npos);
  EXPECT_EQ(body.find("flattened"), std::string::npos);
  Submit(*sink, TestBatch(0, 20));
  ASSERT_TRUE(WaitAcks(20));
  EXPECT_EQ(fake_.DocumentCount(), 20u);
  EXPECT_EQ(fake_.last_bulk_target().find("include_source_on_error"), std::string::npos);
}

TEST_F(SinkTest, TrySubmitRefusesAtTheQueuedBytesBound) {
  ASSERT_TRUE(fake_.SetDown(true).ok());
  auto options = FastOptions(fake_.url());
  options.max_queued_bytes = 4096;
  auto sink = StartSink(options);
  int accepted = 0;
  Batch batch = TestBatch(0, 5);
  while (sink->TrySubmit(batch)) {
    ++accepted;
    batch = TestBatch(accepted * 5, 5);
    ASSERT_LT(accepted, 1000) << "the bound never applied";
  }
  EXPECT_EQ(batch.size(), 5u);  // a refused batch stays with the caller
  EXPECT_GE(sink->QueuedBytes(), options.max_queued_bytes);
  EXPECT_EQ(acks_.total(), 0u);
  ASSERT_TRUE(fake_.SetDown(false).ok());
  ASSERT_TRUE(WaitAcks(static_cast<std::size_t>(accepted) * 5));
  EXPECT_TRUE(WaitFor([&] { return sink->QueuedBytes() == 0; }, milliseconds(5000)));
  EXPECT_TRUE(sink->TrySubmit(batch));
  ASSERT_TRUE(WaitAcks(static_cast<std::size_t>(accepted) * 5 + 5));
  EXPECT_EQ(acks_.duplicates(), 0u);
}

TEST_F(SinkTest, StopDeadlineLeavesUnfinishedRecordsUnacknowledged) {
  fake_.FailItemsWithId(TestId(3), 503);  // forever
  auto sink = StartSink(FastOptions(fake_.url()));
  Submit(*sink, TestBatch(0, 10));
  ASSERT_TRUE(WaitAcks(9));
  const Status stop = sink->Stop(milliseconds(50));
  EXPECT_FALSE(stop.ok());
  EXPECT_EQ(sink->UnfinishedRecords(), 1u);
  EXPECT_FALSE(acks_.Acked(3));
  EXPECT_EQ(acks_.total(), 9u);
  fake_.ClearFaults();  // nothing acknowledges it after Stop, even once it could succeed
  EXPECT_FALSE(WaitFor([&] { return acks_.total() > 9; }, milliseconds(100)));
  Batch late = TestBatch(100, 1);
  EXPECT_FALSE(sink->TrySubmit(late));
}

// A stop that cannot flush the whole queue in time gives up on the queue halfway through the
// deadline and lets the requests in flight finish: everything sent was acknowledged, so a
// restart reads the rest again without sending any item twice.
TEST_F(SinkTest, StopDeadlineNeverCutsARequestShort) {
  fake_.SetLatency(milliseconds(200));
  auto options = FastOptions(fake_.url());
  options.bulk_max_docs = 10;
  options.max_in_flight = 1;
  auto sink = StartSink(options);
  Submit(*sink, TestBatch(0, 300));  // 30 requests of 200 ms: far more than the deadline
  ASSERT_TRUE(WaitAcks(10));
  const Status stop = sink->Stop(milliseconds(1000));
  EXPECT_FALSE(stop.ok()) << "the queue cannot drain in 1 s";
  EXPECT_GT(sink->UnfinishedRecords(), 0u);
  std::size_t received = 0;
  for (const auto& [id, times] : fake_.ItemsReceivedById()) {
    received += static_cast<std::size_t>(times);
  }
  EXPECT_EQ(received, acks_.delivered()) << "an item was sent but its request was cut short";
  EXPECT_EQ(acks_.total() + sink->UnfinishedRecords(), 300u);
}

TEST_F(SinkTest, StopFlushesRecordsStillLingering) {
  auto options = FastOptions(fake_.url());
  options.linger = milliseconds(600'000);
  auto sink = StartSink(options);
  Submit(*sink, TestBatch(0, 7));
  EXPECT_TRUE(sink->Stop(testing::Scaled(milliseconds(5000))).ok());
  EXPECT_EQ(acks_.delivered(), 7u);
}

TEST_F(SinkTest, StartsWhileClusterDownAndCatchesUp) {
  ASSERT_TRUE(fake_.SetDown(true).ok());
  auto sink = StartSink(FastOptions(fake_.url()));
  Submit(*sink, TestBatch(0, 20));
  EXPECT_FALSE(sink->Healthcheck().ok());
  EXPECT_EQ(Metric("cdc_sink_up"), 0);
  ASSERT_TRUE(fake_.SetDown(false).ok());
  ASSERT_TRUE(WaitAcks(20));
  EXPECT_EQ(fake_.template_puts(), 1);  // installed before the first document
  EXPECT_TRUE(sink->Healthcheck().ok());
  EXPECT_EQ(Metric("cdc_sink_up"), 1);
}

TEST_F(SinkTest, InvalidOptionsFailStart) {
  auto options = FastOptions("http://user:pw@127.0.0.1:1");
  options.index = "Bad Index";
  ElasticsearchSink sink(options, &acks_, &dlq_, &metrics_);
  const Status s = sink.Start();
  EXPECT_EQ(s.code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(s.message().find("pw"), std::string::npos);  // the URL is not echoed
  EXPECT_NE(s.message().find("index"), std::string::npos);
}

}  // namespace
}  // namespace cdc
