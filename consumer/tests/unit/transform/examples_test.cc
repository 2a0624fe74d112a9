// The events of every examples.ndjson line (tests/fixtures/decode/example-NN.json, checked by
// the decode tests) shape into the documents written and reviewed in
// tests/fixtures/documents/example-NN.json: [{"_id": ..., "_source": {...}}, ...], default
// redaction.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "core/json_writer.h"
#include "support/test_env.h"
#include "transform/document_id.h"
#include "transform/document_shaper.h"
#include "unit/decode/fixture_json.h"

namespace cdc {
namespace {

constexpr std::size_t kExampleLines = 26;

std::string Fixture(const char* dir, std::size_t line) {
  char name[48];
  std::snprintf(name, sizeof(name), "%s/example-%02zu.json", dir, line);
  return testing::FixturePath(name);
}

std::string DocumentsJson(const std::vector<Document>& docs) {
  std::string out;
  JsonWriter w(&out);
  w.StartArray();
  for (const Document& doc : docs) {
    w.StartObject();
    w.LiteralKey("_id");
    w.String(doc.id);
    w.LiteralKey("_source");
    w.RawValue(doc.source_json);
    w.EndObject();
  }
  w.EndArray();
  w.Finish();
  return out;
}

TEST(DocumentExamplesTest, EveryExampleShapesToItsReviewedDocuments) {
  DocumentShaper shaper(ShaperOptions{});
  for (std::size_t line = 1; line <= kExampleLines; ++line) {
    SCOPED_TRACE("examples.ndjson line " + std::to_string(line));
    const testing::FixtureMessage fixture =
        testing::DecodedFromJson(testing::ReadFile(Fixture("decode", line)));
    const DecodedMessage& message = fixture.message;
    std::vector<Document> docs;
    for (const ChangeEvent& event : message.events) {
      docs.push_back(shaper.Shape(event));
      EXPECT_LE(docs.back().id.size(), kMaxDocumentIdBytes);
      EXPECT_TRUE(testing::IsValidJson(docs.back().source_json));
    }
    const std::string actual = DocumentsJson(docs);
    if (testing::RegenerateFixtures()) {
      testing::WriteFile(Fixture("documents", line), actual);
      continue;
    }
    EXPECT_EQ(testing::JsonDiff(testing::ReadFile(Fixture("documents", line)), actual), "");
  }
}

// The Document fields besides the JSON text agree with it.
TEST(DocumentExamplesTest, DocumentFieldsMatchTheEvent) {
  DocumentShaper shaper(ShaperOptions{});
  for (std::size_t line = 1; line <= kExampleLines; ++line) {
    SCOPED_TRACE("examples.ndjson line " + std::to_string(line));
    const testing::FixtureMessage fixture =
        testing::DecodedFromJson(testing::ReadFile(Fixture("decode", line)));
    const DecodedMessage& message = fixture.message;
    for (const ChangeEvent& event : message.events) {
      const Document doc = shaper.Shape(event);
      EXPECT_EQ(doc.op, event.op);
      EXPECT_EQ(doc.database, event.database);
      EXPECT_EQ(doc.table, event.table);
      EXPECT_EQ(doc.commit_ts, event.commit_ts);
      EXPECT_EQ(doc.event_time_ms, event.commit_ts ? TsoPhysicalMs(*event.commit_ts) : event.es_ms);
    }
  }
}

}  // namespace
}  // namespace cdc
