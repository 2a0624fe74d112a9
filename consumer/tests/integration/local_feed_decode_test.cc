// The local mode's feed, end to end inside one process: every message the simulator produces
// decodes with the project's CanalJsonDecoder, shapes into documents, lands in the embedded store
// once (TiCDC re-sends with a new `ts` add nothing), and comes back through /api/events as data.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <regex>
#include <set>

#include "decode/canal_json_decoder.h"
#include "local/events_api.h"
#include "local/feed_generator.h"
#include "sink/sqlite/sqlite_event_store.h"
#include "sink/sqlite/sqlite_sink.h"
#include "support/test_env.h"
#include "transform/document_shaper.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;

class CountingAcks : public AckSink {
 public:
  void Ack(const SinkRecord&, DeliveryOutcome outcome) override {
    if (outcome == DeliveryOutcome::kDelivered) ++delivered;
  }
  std::atomic<std::int64_t> delivered{0};
};

std::vector<SimMessage> Feed(std::uint64_t seed, int transactions) {
  std::int64_t now = 1'760'000'000'000;
  FeedGenerator gen(
      {.seed = seed, .partitions = 4, .ddl_every = 60, .hostile_every = 10, .now_ms = [&now] {
         return now += 3;
       }});
  std::vector<SimMessage> out;
  for (int i = 0; i < transactions; ++i) {
    for (auto& m : gen.NextTransaction()) out.push_back(std::move(m));
    if (i % 25 == 0) {
      for (auto& m : gen.Watermarks()) out.push_back(std::move(m));
    }
  }
  return out;
}

TEST(LocalFeedDecodeTest, EverySimulatedMessageDecodesAsWhatItSays) {
  CanalJsonDecoder decoder;
  DecodedMessage decoded;
  std::map<std::string, int> kinds;
  for (const SimMessage& m : Feed(11, 2000)) {
    const Status st = decoder.Decode(m.value, &decoded);
    ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << m.value;
    switch (m.kind) {
      case SimMessage::Kind::kWatermark:
        EXPECT_TRUE(decoded.watermark_ts.has_value());
        EXPECT_TRUE(decoded.events.empty());
        ++kinds["watermark"];
        break;
      case SimMessage::Kind::kDdl:
        ASSERT_EQ(decoded.events.size(), 1u);
        EXPECT_EQ(decoded.events[0].op, Op::kDdl);
        ++kinds["ddl"];
        break;
      case SimMessage::Kind::kDml:
        ASSERT_EQ(decoded.events.size(), 1u);
        EXPECT_EQ(OpName(decoded.events[0].op), m.op);
        EXPECT_EQ(decoded.events[0].table, m.table);
        ASSERT_TRUE(decoded.events[0].commit_ts.has_value());
        EXPECT_EQ(decoded.events[0].es_ms, TsoPhysicalMs(*decoded.events[0].commit_ts));
        if (m.op == "update") {
          EXPECT_EQ(decoded.events[0].old.size(), decoded.events[0].data.size());
        }
        ++kinds[m.op];
        break;
    }
  }
  for (const char* k : {"watermark", "ddl", "insert", "update", "delete"}) {
    EXPECT_GT(kinds[k], 0) << k;
  }
}

TEST(LocalFeedDecodeTest, StoreHoldsOneDocumentPerRowChangeAndServesHostileValuesAsData) {
  std::string dir = (std::filesystem::temp_directory_path() / "cdc-local-feed-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/events.db";
  CanalJsonDecoder decoder;
  DocumentShaper shaper(ShaperOptions{});
  CountingAcks acks;
  Metrics metrics;
  SqliteSink sink({.path = path, .max_batch_records = 200, .linger = 2ms}, &acks, &metrics);
  ASSERT_TRUE(sink.Start().ok());

  const std::vector<SimMessage> feed = Feed(3, 600);
  // Deliver the feed, then deliver every DML again as TiCDC does after a restart: same row
  // changes at later offsets, with a new `ts`.
  std::int64_t offset = 0, documents = 0;
  std::set<std::string> ids;
  for (int pass = 0; pass < 2; ++pass) {
    Batch batch;
    for (const SimMessage& m : feed) {
      std::string value = m.value;
      if (pass == 1) value = std::regex_replace(value, std::regex(R"("ts":\d+)"), R"("ts":1)");
      DecodedMessage decoded;
      ASSERT_TRUE(decoder.Decode(value, &decoded).ok());
      for (const ChangeEvent& event : decoded.events) {
        SinkRecord record{shaper.Shape(event), MessageRef{m.partition, offset, 1}};
        if (pass == 0) {
          ids.insert(record.doc.id);
          ++documents;
        }
        batch.push_back(std::move(record));
      }
      ++offset;
    }
    const auto expected = static_cast<std::int64_t>(batch.size()) + acks.delivered.load();
    ASSERT_TRUE(testing::WaitFor([&] { return sink.TrySubmit(batch); }, 10s));
    ASSERT_TRUE(testing::WaitFor([&] { return acks.delivered.load() == expected; }, 20s));
  }
  EXPECT_EQ(static_cast<std::int64_t>(ids.size()), documents) << "ids are distinct per change";
  EXPECT_EQ(sink.duplicate_rows(), documents) << "the re-sent half added nothing";

  SqliteQueryBackend backend(path);
  auto counts = backend.CountEvents();
  ASSERT_TRUE(counts.has_value());
  std::int64_t stored = 0;
  for (const auto& c : *counts) stored += c.count;
  EXPECT_EQ(stored, documents);

  const ApiResponse r = HandleEventsRequest(backend, {{"q", "onerror"}, {"table", "users"}});
  ASSERT_EQ(r.status, 200);
  simdjson::dom::parser parser;
  simdjson::dom::array rows;
  ASSERT_EQ(parser.parse(r.body).get_array().get(rows), simdjson::SUCCESS);
  ASSERT_GT(rows.size(), 0u);
  for (auto row : rows) {
    const std::string doc = simdjson::to_string(row["doc"]);
    EXPECT_NE(doc.find("onerror=alert(1)"), std::string::npos);
    EXPECT_EQ(doc.find("s3cr3t"), std::string::npos) << "passwords are redacted";
  }
  EXPECT_TRUE(sink.Stop(5s).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cdc
