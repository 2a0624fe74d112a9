// Documents the cluster rejects go to the dead-letter writer and are acknowledged only once it
// has stored them; nothing the server says about a document reaches a reason or a log.
#include <gtest/gtest.h>

#include "fakes/fake_elasticsearch.h"
#include "sink/elasticsearch/elasticsearch_sink.h"
#include "unit/sink_elasticsearch/es_test_helpers.h"

namespace cdc {
namespace {

using std::chrono::milliseconds;
using testing::FakeElasticsearch;
using testing::FakeElasticsearchOptions;
using testing::FastOptions;
using testing::TestBatch;
using testing::TestId;
using testing::WaitFor;

class SinkDeadLetterTest : public ::testing::Test {
 protected:
  explicit SinkDeadLetterTest(FakeElasticsearchOptions o = {}) : fake_(o) {}
  void SetUp() override { ASSERT_TRUE(fake_.Start().ok()); }

  std::unique_ptr<ElasticsearchSink> StartSink(ElasticsearchSinkOptions options) {
    options.dead_letter_source_topic = "tidb-cdc";
    options.on_log = [this](SinkLogLevel, std::string_view text) {
      std::lock_guard lock(log_mu_);
      log_ += std::string(text) + "\n";
    };
    auto sink = std::make_unique<ElasticsearchSink>(std::move(options), &acks_, &dlq_, &metrics_);
    EXPECT_TRUE(sink->Start().ok());
    return sink;
  }
  bool WaitAcks(std::size_t n) {
    return WaitFor([&] { return acks_.total() >= n; }, milliseconds(20000));
  }

  FakeElasticsearch fake_;
  testing::RecordingAckSink acks_;
  testing::ControlledDeadLetterWriter dlq_;
  Metrics metrics_;
  std::mutex log_mu_;
  std::string log_;
};

TEST_F(SinkDeadLetterTest, MappingErrorsAreDeadLetteredAndAcknowledgedOnlyAfterTheWrite) {
  fake_.FailItemsWithId(TestId(2), 400, "document_parsing_exception");
  fake_.FailItemsWithId(TestId(5), 400, "strict_dynamic_mapping_exception");
  dlq_.Hold();
  auto sink = StartSink(FastOptions(fake_.url()));
  Batch batch = TestBatch(0, 10);
  ASSERT_TRUE(sink->TrySubmit(batch));
  ASSERT_TRUE(WaitFor([&] { return dlq_.held() == 2 && acks_.total() == 8; }, milliseconds(10000)));
  EXPECT_FALSE(acks_.Acked(2));
  EXPECT_FALSE(acks_.Acked(5));
  dlq_.Release();
  ASSERT_TRUE(WaitAcks(10));
  EXPECT_EQ(acks_.OutcomeOf(2), DeliveryOutcome::kDeadLettered);
  EXPECT_EQ(acks_.OutcomeOf(5), DeliveryOutcome::kDeadLettered);
  EXPECT_EQ(acks_.delivered(), 8u);
  EXPECT_EQ(acks_.duplicates(), 0u);
  const auto letters = dlq_.letters();
  ASSERT_EQ(letters.size(), 2u);
  for (const DeadLetter& l : letters) {
    const std::int64_t i = l.source_offset;
    EXPECT_EQ(l.document_id, TestId(i));
    EXPECT_EQ(l.value, testing::TestRecord(i).doc.source_json);
    EXPECT_EQ(l.source_topic, "tidb-cdc");
    EXPECT_EQ(l.source_partition, 0);
    EXPECT_EQ(l.reason, i == 2 ? "es_400:document_parsing_exception"
                               : "es_400:strict_dynamic_mapping_exception");
  }
  EXPECT_EQ(fake_.ItemsReceived(TestId(2)), 1);  // rejected items are not resent
  EXPECT_EQ(
      testing::MetricValue(metrics_.Serialize(),
                           R"(cdc_dead_letters_total{reason="es_400:document_parsing_exception"})"),
      1);
}

TEST_F(SinkDeadLetterTest, FailedDeadLetterWritesAreRetried) {
  fake_.FailItemsWithId(TestId(0), 400, "mapper_parsing_exception");
  dlq_.FailNext(3);
  auto sink = StartSink(FastOptions(fake_.url()));
  Batch batch = TestBatch(0, 3);
  ASSERT_TRUE(sink->TrySubmit(batch));
  ASSERT_TRUE(WaitAcks(3));
  EXPECT_EQ(dlq_.attempts(), 4);
  EXPECT_EQ(dlq_.letters().size(), 1u);
  EXPECT_EQ(acks_.OutcomeOf(0), DeliveryOutcome::kDeadLettered);
  EXPECT_EQ(acks_.duplicates(), 0u);
}

// A whole-request 400 (here: an _id over 512 bytes fails validation of the entire request) is
// halved until the bad document stands alone; only it is dead-lettered.
TEST_F(SinkDeadLetterTest, WholeRequestBadRequestIsolatesTheBadDocument) {
  auto sink = StartSink(FastOptions(fake_.url()));
  Batch batch = TestBatch(0, 16);
  batch[9].doc.id = std::string(600, 'x');
  ASSERT_TRUE(sink->TrySubmit(batch));
  ASSERT_TRUE(WaitAcks(16));
  EXPECT_EQ(acks_.delivered(), 15u);
  EXPECT_EQ(acks_.OutcomeOf(9), DeliveryOutcome::kDeadLettered);
  ASSERT_EQ(dlq_.letters().size(), 1u);
  EXPECT_EQ(dlq_.letters()[0].reason, "es_400:action_request_validation_exception");
  EXPECT_EQ(fake_.DocumentCount(), 15u);
}

TEST_F(SinkDeadLetterTest, DocumentTooLargeOnItsOwnIsDeadLettered) {
  auto options = FastOptions(fake_.url());
  options.gzip = false;
  fake_.SetMaxContentLength(4000);
  auto sink = StartSink(options);
  Batch batch = TestBatch(0, 12);
  batch[4].doc.source_json = R"({"data":{"blob":")" + std::string(8000, 'a') + R"("}})";
  ASSERT_TRUE(sink->TrySubmit(batch));
  ASSERT_TRUE(WaitAcks(12));
  EXPECT_EQ(acks_.OutcomeOf(4), DeliveryOutcome::kDeadLettered);
  ASSERT_EQ(dlq_.letters().size(), 1u);
  EXPECT_EQ(dlq_.letters()[0].reason, "es_413:request_entity_too_large");
  EXPECT_EQ(acks_.delivered(), 11u);
}

class OldClusterDeadLetterTest : public SinkDeadLetterTest {
 protected:
  OldClusterDeadLetterTest() : SinkDeadLetterTest(Options()) {}
  static FakeElasticsearchOptions Options() {
    FakeElasticsearchOptions o;
    o.version = "8.10.0";  // no include_source_on_error: error reasons quote the source
    return o;
  }
};

TEST_F(OldClusterDeadLetterTest, ServerReasonTextNeverReachesReasonsOrLogs) {
  auto sink = StartSink(FastOptions(fake_.url()));
  Batch batch = TestBatch(0, 3);
  batch[1].doc.source_json = R"("SENTINEL-ROW-VALUE-8817")";  // not an object: a parse error
  ASSERT_TRUE(sink->TrySubmit(batch));
  ASSERT_TRUE(WaitAcks(3));
  ASSERT_EQ(dlq_.letters().size(), 1u);
  EXPECT_EQ(dlq_.letters()[0].reason, "es_400:document_parsing_exception");
  EXPECT_EQ(dlq_.letters()[0].reason.find("SENTINEL"), std::string::npos);
  std::lock_guard lock(log_mu_);
  EXPECT_EQ(log_.find("SENTINEL"), std::string::npos);
  EXPECT_EQ(metrics_.Serialize().find("SENTINEL"), std::string::npos);
}

}  // namespace
}  // namespace cdc
