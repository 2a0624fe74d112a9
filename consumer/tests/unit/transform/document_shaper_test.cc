#include "transform/document_shaper.h"

#include <gtest/gtest.h>

#include <string>

#include "unit/decode/fixture_json.h"

namespace cdc {
namespace {

// Events hold views: every name and value here is a literal or a local that outlives the event.
ColumnValue Col(std::string_view name, std::string_view value, bool binary = false) {
  return ColumnValue{.name = name, .value = value, .is_null = false, .is_binary = binary};
}

ColumnValue Null(std::string_view name) {
  return ColumnValue{.name = name, .value = {}, .is_null = true, .is_binary = false};
}

ChangeEvent UserUpdate() {
  ChangeEvent e;
  e.op = Op::kUpdate;
  e.database = "appdb";
  e.table = "users";
  e.pk_names = {"id"};
  e.data = {Col("id", "1"), Col("username", "alice"), Col("Password", "new-hash"),
            Col("email", "a@example.com"), Null("api_token")};
  e.old = {Col("id", "1"), Col("username", "alice"), Col("Password", "old-hash"),
           Col("email", "old@example.com"), Col("api_token", "tok-1")};
  e.commit_ts = 449448587919360008ULL;
  e.es_ms = 1;
  e.ts_ms = 1714510300275;
  return e;
}

TEST(DocumentShaperTest, UpdateDocumentHasEveryFieldInOrder) {
  const Document doc = DocumentShaper(ShaperOptions{}).Shape(UserUpdate());
  EXPECT_EQ(doc.source_json,
            R"({"database":"appdb","table":"users","type":"update","pk":{"id":"1"},)"
            R"("data":{"id":"1","username":"alice","Password":"[REDACTED]",)"
            R"("email":"a@example.com","api_token":null},)"
            R"("old":{"id":"1","username":"alice","Password":"[REDACTED]",)"
            R"("email":"old@example.com","api_token":"[REDACTED]"},)"
            R"("commit_ts":449448587919360008,"@timestamp":"2024-04-30T20:51:39.375Z",)"
            R"("ts_ms":1714510300275})");
  EXPECT_EQ(doc.op, Op::kUpdate);
  EXPECT_EQ(doc.database, "appdb");
  EXPECT_EQ(doc.table, "users");
  EXPECT_EQ(doc.commit_ts, 449448587919360008ULL);
  EXPECT_EQ(doc.event_time_ms, 1714510299375);
  EXPECT_EQ(doc.id.rfind("449448587919360008-update-", 0), 0U);
}

TEST(DocumentShaperTest, InsertAndDeleteHaveNoOldAndUseEsWithoutCommitTs) {
  ChangeEvent e = UserUpdate();
  e.commit_ts.reset();
  e.es_ms = 1591943372224;
  for (const Op op : {Op::kInsert, Op::kDelete}) {
    e.op = op;
    const Document doc = DocumentShaper(ShaperOptions{.redact_patterns = {}}).Shape(e);
    EXPECT_EQ(doc.source_json,
              std::string(R"({"database":"appdb","table":"users","type":")") +
                  std::string(OpName(op)) +
                  R"(","pk":{"id":"1"},"data":{"id":"1","username":"alice",)"
                  R"("Password":"new-hash","email":"a@example.com","api_token":null},)"
                  R"("@timestamp":"2020-06-12T06:29:32.224Z","ts_ms":1714510300275})");
    EXPECT_FALSE(doc.commit_ts.has_value());
    EXPECT_EQ(doc.event_time_ms, 1591943372224);
    EXPECT_EQ(doc.id.rfind(std::string("es1591943372224-") + std::string(OpName(op)) + "-", 0), 0U);
  }
}

TEST(DocumentShaperTest, DdlDocument) {
  ChangeEvent e;
  e.op = Op::kDdl;
  e.database = "shop";
  e.table = "";
  e.ddl_type = "QUERY";
  e.sql = "CREATE DATABASE \"shop\"";
  e.commit_ts = 429918007904436226ULL;
  e.ts_ms = 5;
  const Document doc = DocumentShaper(ShaperOptions{}).Shape(e);
  EXPECT_EQ(doc.source_json, R"({"database":"shop","table":"","type":"ddl","ddl_type":"QUERY",)"
                             R"("sql":"CREATE DATABASE \"shop\"","commit_ts":429918007904436226,)"
                             R"("@timestamp":"2021-12-20T13:30:49.196Z","ts_ms":5})");
}

TEST(DocumentShaperTest, SensitivePkIsRedactedInPkDataAndKeptOutOfTheId) {
  ChangeEvent e = UserUpdate();
  e.op = Op::kInsert;
  e.old.clear();
  e.pk_names = {"Password"};
  const Document doc = DocumentShaper(ShaperOptions{}).Shape(e);
  EXPECT_NE(doc.source_json.find(R"("pk":{"Password":"[REDACTED]"})"), std::string::npos);
  EXPECT_EQ(doc.source_json.find("new-hash"), std::string::npos);
  EXPECT_EQ(doc.id.find("new-hash"), std::string::npos);
  // The id still tells different secret keys apart.
  ChangeEvent other = e;
  other.data[2].value = "other-hash";
  EXPECT_NE(DocumentShaper(ShaperOptions{}).Shape(other).id, doc.id);
}

TEST(DocumentShaperTest, RedactionCanBeConfiguredOrTurnedOff) {
  const ChangeEvent e = UserUpdate();
  const Document off = DocumentShaper(ShaperOptions{.redact_patterns = {}}).Shape(e);
  EXPECT_NE(off.source_json.find(R"("Password":"new-hash")"), std::string::npos);
  EXPECT_NE(off.source_json.find(R"("api_token":"tok-1")"), std::string::npos);
  const Document custom = DocumentShaper(ShaperOptions{.redact_patterns = {"EMAIL"}}).Shape(e);
  EXPECT_NE(custom.source_json.find(R"("email":"[REDACTED]")"), std::string::npos);
  EXPECT_NE(custom.source_json.find(R"("Password":"new-hash")"), std::string::npos);
  // Redaction changes values only: the id is the same either way.
  EXPECT_EQ(off.id, custom.id);
  // Qualified patterns name one table.
  DocumentShaper qualified(ShaperOptions{.redact_patterns = {"appdb.users.email"}});
  EXPECT_NE(qualified.Shape(e).source_json.find(R"("email":"[REDACTED]")"), std::string::npos);
  ChangeEvent other_table = e;
  other_table.table = "admins";
  EXPECT_NE(qualified.Shape(other_table).source_json.find(R"("email":"a@example.com")"),
            std::string::npos);
}

TEST(DocumentShaperTest, BinaryValuesAreBase64AndRedactionWinsOverBase64) {
  ChangeEvent e = UserUpdate();
  e.op = Op::kInsert;
  e.old.clear();
  e.data = {Col("id", "1"), Col("avatar", std::string_view("\x00\xff\x80", 3), true),
            Col("secret_blob", "raw", true), Col("empty", "", true)};
  const Document doc = DocumentShaper(ShaperOptions{}).Shape(e);
  EXPECT_NE(doc.source_json.find(R"("data":{"id":"1","avatar":"AP+A","secret_blob":"[REDACTED]",)"
                                 R"("empty":""})"),
            std::string::npos)
      << doc.source_json;
}

TEST(DocumentShaperTest, FlagsForIncompleteRows) {
  ChangeEvent e = UserUpdate();
  e.op = Op::kDelete;
  e.only_handle_key = true;
  e.claim_check_location = "s3://bucket/x.json";
  const Document doc = DocumentShaper(ShaperOptions{}).Shape(e);
  const std::string tail = R"("ts_ms":1714510300275,"only_handle_key":true,)"
                           R"("claim_check_location":"s3://bucket/x.json"})";
  ASSERT_GE(doc.source_json.size(), tail.size());
  EXPECT_EQ(doc.source_json.substr(doc.source_json.size() - tail.size()), tail);
}

// Events built by hand (not by the decoder) must still give valid JSON: odd names, invalid
// UTF-8, a pk column that is not in the row.
TEST(DocumentShaperTest, HostileHandBuiltEventsStillGiveValidJson) {
  ChangeEvent e = UserUpdate();
  e.database = "db\"\\\n";
  e.data = {Col("na\"me\x01", "v\xff\xfe"), Col("", "\xed\xa0\x80"), Null("x")};
  e.old = {};
  e.pk_names = {"missing", "x"};
  const Document doc = DocumentShaper(ShaperOptions{}).Shape(e);
  EXPECT_TRUE(testing::IsValidJson(doc.source_json)) << doc.source_json;
  EXPECT_NE(doc.source_json.find(R"("pk":{"x":null})"), std::string::npos) << doc.source_json;
  // Invalid UTF-8 becomes U+FFFD, once per bad byte.
  EXPECT_NE(doc.source_json.find("\"na\\\"me\\u0001\":\"v\xEF\xBF\xBD\xEF\xBF\xBD\""),
            std::string::npos)
      << doc.source_json;
}

TEST(DocumentShaperTest, ReusedDocumentEqualsAFreshOne) {
  DocumentShaper shaper(ShaperOptions{});
  ChangeEvent big = UserUpdate();
  const std::string big_value(100000, 'e');
  big.data[3].value = big_value;
  ChangeEvent small = UserUpdate();
  small.op = Op::kInsert;
  small.old.clear();
  Document reused;
  for (const ChangeEvent* e : {&big, &small, &big, &small}) {
    shaper.Shape(*e, &reused);
    const Document fresh = shaper.Shape(*e);
    EXPECT_EQ(reused.id, fresh.id);
    EXPECT_EQ(reused.source_json, fresh.source_json);
  }
}

TEST(DocumentShaperTest, LargeValuesNeedingEscapesSurviveChunking) {
  // Regression: values are escaped in 4 KiB chunks, and a chunk boundary inside a multi-byte
  // character turned both halves into U+FFFD.
  ChangeEvent e = UserUpdate();
  e.op = Op::kInsert;
  e.old.clear();
  std::string value;
  for (int i = 0; i < 5000; ++i) value += "a\"\n\xe4\xb8\xad";
  e.data = {Col("id", "1"), Col("text", value)};
  const Document doc = DocumentShaper(ShaperOptions{}).Shape(e);
  simdjson::dom::parser parser;
  const simdjson::padded_string json(doc.source_json);  // must outlive the parse
  const simdjson::dom::element root = parser.parse(json).value();
  const std::string_view decoded = root["data"]["text"].get_string().value();
  EXPECT_TRUE(decoded == value) << "decoded " << decoded.size() << " bytes, expected "
                                << value.size();
}

}  // namespace
}  // namespace cdc
