// Small pure parts of the sink: backoff, batching, options, template, cluster detection, gzip.
#include <gtest/gtest.h>
#include <zlib.h>

#include "sink/elasticsearch/backoff.h"
#include "sink/elasticsearch/batch_queue.h"
#include "sink/elasticsearch/bulk_body.h"
#include "sink/elasticsearch/cluster_info.h"
#include "sink/elasticsearch/elasticsearch_sink_options.h"
#include "sink/elasticsearch/gzip.h"
#include "sink/elasticsearch/index_template.h"
#include "unit/sink_elasticsearch/es_test_helpers.h"

namespace cdc::es {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, FullJitterUnderAnExponentialCeilingWithACap) {
  Backoff backoff({.initial = milliseconds(100), .max = milliseconds(30'000), .seed = 1});
  EXPECT_EQ(backoff.Ceiling(0), milliseconds(100));
  EXPECT_EQ(backoff.Ceiling(3), milliseconds(800));
  EXPECT_EQ(backoff.Ceiling(9), milliseconds(30'000));  // 51200 capped
  EXPECT_EQ(backoff.Ceiling(1000), milliseconds(30'000));
  milliseconds low = milliseconds::max(), high{0};
  for (int i = 0; i < 2000; ++i) {
    const auto d = backoff.Next(20);
    low = std::min(low, d);
    high = std::max(high, d);
    ASSERT_LE(d, milliseconds(30'000));
  }
  EXPECT_LT(low, milliseconds(3000));     // full jitter reaches down near zero...
  EXPECT_GT(high, milliseconds(27'000));  // ...and up near the cap
  for (int i = 0; i < 100; ++i) {
    const auto d = backoff.Long();
    ASSERT_GE(d, milliseconds(15'000));
    ASSERT_LE(d, milliseconds(30'000));
  }
}

PendingRecord Rec(std::int64_t i, std::size_t bytes) {
  return PendingRecord{testing::TestRecord(i), bytes, 0};
}

TEST(BatchQueueTest, SendsOnCountBytesOrLinger) {
  BatchQueue q({.max_docs = 3, .max_bytes = 1000, .linger = milliseconds(50)});
  const Clock::time_point t0{};
  q.Add(Rec(0, 10), t0);
  q.Add(Rec(1, 10), t0);
  EXPECT_TRUE(q.Take(t0, false).empty());  // neither full nor old enough
  EXPECT_EQ(q.NextReady(false), t0 + milliseconds(50));
  EXPECT_EQ(q.Take(t0 + milliseconds(50), false).size(), 2u);  // linger
  for (int i = 0; i < 7; ++i) q.Add(Rec(i, 10), t0);
  EXPECT_EQ(q.Take(t0, false).size(), 3u);  // count
  EXPECT_EQ(q.Take(t0, false).size(), 3u);
  EXPECT_TRUE(q.Take(t0, false).empty());
  EXPECT_EQ(q.Take(t0, true).size(), 1u);  // flush
  q.Add(Rec(0, 600), t0);
  q.Add(Rec(1, 600), t0);
  EXPECT_EQ(q.Take(t0, false).size(), 1u);  // bytes: the second does not fit
  q.Add(Rec(2, 5000), t0);                  // larger than the bound: goes alone
  EXPECT_EQ(q.Take(t0, false).size(), 1u);
  EXPECT_EQ(q.Take(t0, false).size(), 1u);
  EXPECT_TRUE(q.empty());
}

TEST(BatchQueueTest, RetriesWaitForTheirDueTimeAndPinnedGroupsStayWhole) {
  BatchQueue q({.max_docs = 10, .max_bytes = 1000, .linger = milliseconds(50)});
  const Clock::time_point t0{};
  q.AddRetry({Rec(1, 10), Rec(2, 10)}, t0 + milliseconds(20), false);
  q.AddRetry({Rec(3, 10)}, t0 + milliseconds(5), true);
  q.Add(Rec(4, 10), t0);
  EXPECT_TRUE(q.Take(t0, false).empty());
  EXPECT_EQ(q.NextReady(false), t0 + milliseconds(5));
  auto pinned = q.Take(t0 + milliseconds(5), false);
  ASSERT_EQ(pinned.size(), 1u);  // alone, no fresh record joins a pinned group
  EXPECT_EQ(pinned[0].record.source.offset, 3);
  auto retry = q.Take(t0 + milliseconds(20), false);
  ASSERT_EQ(retry.size(), 3u);  // the due retries, topped up with the fresh record
  EXPECT_EQ(retry[0].record.source.offset, 1);
  EXPECT_EQ(retry[2].record.source.offset, 4);
}

TEST(OptionsTest, DefaultsAreValidAndErrorsAreAllListed) {
  EXPECT_TRUE(ElasticsearchSinkOptions{}.Validate().ok());
  ElasticsearchSinkOptions o;
  o.urls = {"ftp://x", "https://elastic:hunter2@es:9200", "http://es:9200/prefix"};
  o.index = "_Bad";
  o.api_key = SecretString("k");
  o.username = "u";
  o.max_in_flight = 0;
  o.retry_max = milliseconds(1);
  const Status s = o.Validate();
  EXPECT_EQ(s.code(), ErrorCode::kInvalidConfig);
  for (const char* part :
       {"urls[0]", "urls[1]", "urls[2]", "index", "credentials", "max_in_flight", "retry_max"}) {
    EXPECT_NE(s.message().find(part), std::string::npos) << part;
  }
  EXPECT_EQ(s.message().find("hunter2"), std::string::npos);
}

TEST(OptionsTest, SecretsNeverPrint) {
  const SecretString secret("hunter2");
  EXPECT_EQ(secret.Redacted(), "***");
  EXPECT_EQ(secret.Reveal(), "hunter2");
  SecretString moved = std::move(const_cast<SecretString&>(secret));
  EXPECT_EQ(moved.Reveal(), "hunter2");
}

TEST(ClusterInfoTest, TellsElasticsearchFromOpenSearch) {
  auto es = ParseClusterInfo("Elasticsearch",
                             R"({"version":{"number":"8.19.3","build_flavor":"default"}})");
  ASSERT_TRUE(es.has_value());
  EXPECT_EQ(es->distribution, Distribution::kElasticsearch);
  EXPECT_TRUE(es->SupportsIncludeSourceOnError());
  EXPECT_EQ(es->FlatObjectType(), "flattened");
  auto old = ParseClusterInfo("", R"({"version":{"number":"7.10.2"}})");
  ASSERT_TRUE(old.has_value());
  EXPECT_FALSE(old->SupportsIncludeSourceOnError());
  auto os = ParseClusterInfo("", R"({"version":{"distribution":"opensearch","number":"2.13.0"}})");
  ASSERT_TRUE(os.has_value());
  EXPECT_EQ(os->distribution, Distribution::kOpenSearch);
  EXPECT_FALSE(os->SupportsIncludeSourceOnError());
  EXPECT_EQ(os->FlatObjectType(), "flat_object");
  EXPECT_FALSE(ParseClusterInfo("", "<html>login</html>").has_value());
  EXPECT_FALSE(ParseClusterInfo("", R"({"version":{"number":"x"}})").has_value());
}

TEST(IndexTemplateTest, IsValidJsonWithTheVersionAndTheFlavoursType) {
  const std::string es = IndexTemplateJson("cdc-events", ClusterInfo{});
  EXPECT_EQ(InstalledTemplateVersion(
                R"({"index_templates":[{"name":"cdc-events","index_template":)" + es + "}]}",
                "cdc-events"),
            kIndexTemplateVersion);
  EXPECT_NE(es.find(R"("type":"flattened")"), std::string::npos);
  EXPECT_NE(es.find(R"("@timestamp":{"type":"date"})"), std::string::npos);
  const std::string os = IndexTemplateJson("x", ClusterInfo{Distribution::kOpenSearch, 2, 13});
  EXPECT_NE(os.find(R"("type":"flat_object")"), std::string::npos);
  EXPECT_NE(os.find(R"(["x*"])"), std::string::npos);
  EXPECT_EQ(InstalledTemplateVersion(R"({"index_templates":[]})", "x"), std::nullopt);
  EXPECT_EQ(InstalledTemplateVersion("garbage", "x"), std::nullopt);
}

TEST(GzipTest, RoundTripsThroughZlib) {
  std::string input;
  for (int i = 0; i < 1000; ++i) input += testing::TestRecord(i).doc.source_json + "\n";
  std::string compressed = "prefix";
  ASSERT_TRUE(GzipCompress(input, 1, &compressed).ok());
  ASSERT_EQ(compressed.substr(0, 6), "prefix");                // appends
  EXPECT_EQ(static_cast<unsigned char>(compressed[6]), 0x1f);  // gzip magic
  EXPECT_LT(compressed.size(), input.size() / 3);
  std::string output(input.size(), '\0');
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(compressed.data() + 6);
  zs.avail_in = static_cast<uInt>(compressed.size() - 6);
  zs.next_out = reinterpret_cast<Bytef*>(output.data());
  zs.avail_out = static_cast<uInt>(output.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  inflateEnd(&zs);
  EXPECT_EQ(output, input);
}

TEST(BulkBodyTest, CreateLinesAreNewlineTerminatedAndEscaped) {
  Document doc;
  doc.id = "db.t:\"quoted\"\n";
  doc.source_json = R"({"a":1})";
  std::string out;
  AppendCreate("cdc-events", doc, &out);
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);  // the id's newline is escaped
  EXPECT_NE(out.find(R"("create")"), std::string::npos);
  EXPECT_LE(out.size(), BulkBytesBound("cdc-events", doc));
}

}  // namespace
}  // namespace cdc::es
