// ElasticsearchSink against a failing fake: per-item and whole-request retries, splits, lost
// answers and unusable responses. The invariant everywhere: every record is acknowledged exactly
// once, the store holds exactly one document per record, and only failed items are resent.
#include <gtest/gtest.h>

#include <numeric>

#include "fakes/fake_elasticsearch.h"
#include "sink/elasticsearch/elasticsearch_sink.h"
#include "unit/sink_elasticsearch/es_test_helpers.h"

namespace cdc {
namespace {

using std::chrono::milliseconds;
using testing::ConnectionFault;
using testing::FakeElasticsearch;
using testing::FastOptions;
using testing::Malformation;
using testing::TestBatch;
using testing::TestId;
using testing::WaitFor;

class SinkRetryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.Start().ok()); }

  std::unique_ptr<ElasticsearchSink> StartSink(ElasticsearchSinkOptions options) {
    auto sink = std::make_unique<ElasticsearchSink>(std::move(options), &acks_, &dlq_, &metrics_);
    EXPECT_TRUE(sink->Start().ok());
    return sink;
  }
  // Sends records [0, n) as one bulk request and waits until all are acknowledged.
  void SendOneBulk(ElasticsearchSinkOptions options, int n) {
    options.bulk_max_docs = static_cast<std::size_t>(n);
    options.linger = milliseconds(600'000);  // only the count bound sends
    auto sink = StartSink(options);
    Batch batch = TestBatch(0, n);
    ASSERT_TRUE(sink->TrySubmit(batch));
    ASSERT_TRUE(
        WaitFor([&] { return acks_.total() >= static_cast<std::size_t>(n); }, milliseconds(20000)))
        << acks_.total();
    EXPECT_TRUE(sink->Stop(milliseconds(1000)).ok());
    ExpectExactlyOnce(n);
  }
  void ExpectExactlyOnce(int n) {
    EXPECT_EQ(acks_.delivered(), static_cast<std::size_t>(n));
    EXPECT_EQ(acks_.duplicates(), 0u);
    EXPECT_EQ(fake_.DocumentCount(), static_cast<std::size_t>(n));
  }
  double Metric(const std::string& sample) {
    return testing::MetricValue(metrics_.Serialize(), sample);
  }

  FakeElasticsearch fake_;
  testing::RecordingAckSink acks_;
  testing::ControlledDeadLetterWriter dlq_;
  Metrics metrics_;
};

TEST_F(SinkRetryTest, RejectedItemsAreRetriedAlone) {
  fake_.FailNextItems(30, 429);
  SendOneBulk(FastOptions(fake_.url()), 100);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(fake_.ItemsReceived(TestId(i)), i < 30 ? 2 : 1) << i;
  EXPECT_EQ(Metric(R"(cdc_bulk_items_total{outcome="retried"})"), 30);
  EXPECT_EQ(Metric(R"(cdc_bulk_items_total{outcome="conflict"})"), 0);
  EXPECT_EQ(dlq_.attempts(), 0);
}

TEST_F(SinkRetryTest, ServerErrorItemsAreRetriedAloneUntilTheySucceed) {
  fake_.FailItemsWithId(TestId(7), 500, "", 3);
  fake_.FailItemsWithId(TestId(8), 503, "unavailable_shards_exception", 1);
  SendOneBulk(FastOptions(fake_.url()), 20);
  EXPECT_EQ(fake_.ItemsReceived(TestId(7)), 4);
  EXPECT_EQ(fake_.ItemsReceived(TestId(8)), 2);
  EXPECT_EQ(fake_.ItemsReceived(TestId(9)), 1);
}

TEST_F(SinkRetryTest, BlockedItemsAreKeptNotDeadLettered) {
  fake_.FailItemsWithId(TestId(1), 403, "cluster_block_exception", 2);
  fake_.FailItemsWithId(TestId(2), 404, "index_not_found_exception", 1);
  SendOneBulk(FastOptions(fake_.url()), 5);
  EXPECT_EQ(fake_.ItemsReceived(TestId(1)), 3);
  EXPECT_EQ(dlq_.attempts(), 0);
}

class WholeRequestStatusTest : public SinkRetryTest, public ::testing::WithParamInterface<int> {};

TEST_P(WholeRequestStatusTest, IsRetriedWithoutDuplicates) {
  fake_.FailNextRequests(3, GetParam());
  SendOneBulk(FastOptions(fake_.url()), 50);
  EXPECT_EQ(fake_.bulk_requests(), 4);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(fake_.ItemsReceived(TestId(i)), 1);
  EXPECT_EQ(Metric(R"(cdc_bulk_requests_total{outcome="retried"})"), 3);
}

INSTANTIATE_TEST_SUITE_P(Statuses, WholeRequestStatusTest,
                         ::testing::Values(429, 500, 502, 503, 504));

TEST_F(SinkRetryTest, TooLargeRequestsAreSplit) {
  auto options = FastOptions(fake_.url());
  options.gzip = false;
  fake_.SetMaxContentLength(3000);  // ~20 documents
  SendOneBulk(options, 100);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(fake_.ItemsReceived(TestId(i)), 1);
  EXPECT_GE(Metric(R"(cdc_bulk_requests_total{outcome="split"})"), 3);
  EXPECT_EQ(dlq_.attempts(), 0);
}

// A node applies the request, then the answer is lost (connection dropped, or later than the
// client's timeout). The resend answers 409 for every item: acknowledged, nothing doubled.
TEST_F(SinkRetryTest, AppliedButDroppedAnswerCausesNoDuplicate) {
  fake_.FaultNextResponses(1, ConnectionFault::kDropAfterApply);
  SendOneBulk(FastOptions(fake_.url()), 40);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(fake_.ItemsReceived(TestId(i)), 2);
  EXPECT_EQ(Metric(R"(cdc_bulk_items_total{outcome="conflict"})"), 40);
}

TEST_F(SinkRetryTest, AppliedButTimedOutAnswerCausesNoDuplicate) {
  auto options = FastOptions(fake_.url());
  options.request_timeout = testing::Scaled(milliseconds(500));
  fake_.FaultNextResponses(1, ConnectionFault::kDelayAfterApply,
                           testing::Scaled(milliseconds(5000)));
  SendOneBulk(options, 40);  // exactly one document each, although applied more than once
  // At least twice: a slow machine may time out the resend too, which changes nothing.
  for (int i = 0; i < 40; ++i) EXPECT_GE(fake_.ItemsReceived(TestId(i)), 2);
  EXPECT_EQ(Metric(R"(cdc_bulk_items_total{outcome="conflict"})"), 40);
}

class MalformedResponseTest : public SinkRetryTest,
                              public ::testing::WithParamInterface<Malformation> {};

// The first two answers are unusable although the fake applied the documents: nothing may be
// acknowledged from them; the third attempt gets 409s and acknowledges everything once.
TEST_P(MalformedResponseTest, IsNeverAcknowledged) {
  fake_.MalformNextResponses(2, GetParam());
  std::int64_t requests_at_first_ack = -1;
  acks_.SetOnAck([&](const SinkRecord&) {
    if (requests_at_first_ack < 0) requests_at_first_ack = fake_.bulk_requests();
  });
  SendOneBulk(FastOptions(fake_.url()), 25);
  EXPECT_EQ(requests_at_first_ack, 3);
  EXPECT_EQ(Metric(R"(cdc_bulk_items_total{outcome="created"})"), 0);
  EXPECT_EQ(Metric(R"(cdc_bulk_items_total{outcome="conflict"})"), 25);
}

INSTANTIATE_TEST_SUITE_P(Kinds, MalformedResponseTest,
                         ::testing::Values(Malformation::kTruncated, Malformation::kNotJson,
                                           Malformation::kEmptyBody, Malformation::kFewerItems,
                                           Malformation::kMoreItems, Malformation::kWrongId));

TEST_F(SinkRetryTest, PermanentlyMalformedAnswersAcknowledgeNothing) {
  fake_.MalformNextResponses(1'000'000, Malformation::kFewerItems);
  auto sink = StartSink(FastOptions(fake_.url()));
  Batch batch = TestBatch(0, 10);
  ASSERT_TRUE(sink->TrySubmit(batch));
  ASSERT_TRUE(WaitFor([&] { return fake_.bulk_requests() >= 5; }, milliseconds(10000)));
  EXPECT_FALSE(sink->Stop(milliseconds(10)).ok());
  EXPECT_EQ(acks_.total(), 0u);
  EXPECT_EQ(fake_.DocumentCount(), 10u);  // applied, yet unacknowledged: the next run gets 409s
}

// Issue 6 scenario 5 in small: 30% of items 429 and 10% of requests 503.
TEST_F(SinkRetryTest, StormOfRejectionsLosesAndDuplicatesNothing) {
  fake_.FailRandomItems(0.3, 429, 7);
  fake_.FailRandomRequests(0.1, 503, 11);
  auto options = FastOptions(fake_.url());
  options.bulk_max_docs = 200;
  auto sink = StartSink(options);
  for (int i = 0; i < 20; ++i) {
    Batch batch = TestBatch(i * 100, 100);
    ASSERT_TRUE(WaitFor([&] { return sink->TrySubmit(batch); }, milliseconds(10000)));
  }
  ASSERT_TRUE(WaitFor([&] { return acks_.total() >= 2000; }, milliseconds(60000)));
  ExpectExactlyOnce(2000);
  const auto received = fake_.ItemsReceivedById();
  const std::int64_t sent =
      std::accumulate(received.begin(), received.end(), std::int64_t{0},
                      [](std::int64_t s, const auto& kv) { return s + kv.second; });
  // Every resend is explained by an injected item failure: successful items never went twice.
  EXPECT_EQ(sent, 2000 + fake_.injected_item_failures());
  EXPECT_GT(fake_.injected_item_failures(), 300);
  EXPECT_EQ(Metric(R"(cdc_bulk_items_total{outcome="conflict"})"), 0);
  EXPECT_TRUE(sink->Stop(milliseconds(1000)).ok());
}

}  // namespace
}  // namespace cdc
