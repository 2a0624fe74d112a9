#include "local/feed_generator.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <set>
#include <sstream>

#include "support/test_env.h"

namespace cdc {
namespace {

// Top-level keys of a JSON object, in order.
std::vector<std::string> Keys(std::string_view json) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc = parser.iterate(padded);
  std::vector<std::string> keys;
  for (auto field : doc.get_object()) keys.emplace_back(std::string_view(field.unescaped_key()));
  return keys;
}

std::vector<std::string> ExampleLines() {
  std::ifstream in(testing::SharedPath("ticdc-canal-json/examples.ndjson"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

FeedGeneratorOptions FixedClock(std::uint64_t seed, std::int64_t* now) {
  return {.seed = seed, .partitions = 6, .ddl_every = 50, .hostile_every = 5, .now_ms = [now] {
            return (*now) += 7;
          }};
}

std::vector<SimMessage> Generate(FeedGenerator& gen, int transactions) {
  std::vector<SimMessage> all;
  for (int i = 0; i < transactions; ++i) {
    for (auto& m : gen.NextTransaction()) all.push_back(std::move(m));
    if (i % 10 == 0) {
      for (auto& m : gen.Watermarks()) all.push_back(std::move(m));
    }
  }
  return all;
}

TEST(FeedGeneratorTest, SameSeedAndClockGiveTheSameBytes) {
  std::int64_t now_a = 1700000000000, now_b = 1700000000000, now_c = 1700000000000;
  FeedGenerator a(FixedClock(42, &now_a)), b(FixedClock(42, &now_b)), c(FixedClock(43, &now_c));
  const auto ma = Generate(a, 300), mb = Generate(b, 300), mc = Generate(c, 300);
  ASSERT_EQ(ma.size(), mb.size());
  for (std::size_t i = 0; i < ma.size(); ++i) {
    ASSERT_EQ(ma[i].value, mb[i].value) << i;
    ASSERT_EQ(ma[i].partition, mb[i].partition) << i;
  }
  bool differs = ma.size() != mc.size();
  for (std::size_t i = 0; !differs && i < ma.size(); ++i) differs = ma[i].value != mc[i].value;
  EXPECT_TRUE(differs) << "another seed gives another feed";
}

TEST(FeedGeneratorTest, KeyOrderMatchesTiCdcOutput) {
  const auto examples = ExampleLines();
  ASSERT_GE(examples.size(), 20u);
  const auto watermark_keys = Keys(examples[0]);  // line 1: encoder test, watermark
  const auto ddl_keys = Keys(examples[1]);        // line 2: encoder test, DDL with extension
  const auto dml_keys = Keys(examples[18]);       // line 19: derived UPDATE, extension on
  ASSERT_EQ(dml_keys.back(), "_tidb");
  std::int64_t now = 1700000000000;
  FeedGenerator gen(FixedClock(7, &now));
  std::set<SimMessage::Kind> seen;
  for (const SimMessage& m : Generate(gen, 400)) {
    std::string_view value = m.value;
    seen.insert(m.kind);
    switch (m.kind) {
      case SimMessage::Kind::kDml:
        ASSERT_TRUE(value.ends_with("}\r\n")) << "DML carries the v6.5 CRLF terminator";
        value.remove_suffix(2);
        EXPECT_EQ(Keys(value), dml_keys);
        break;
      case SimMessage::Kind::kDdl:
        ASSERT_TRUE(value.ends_with("}"));
        EXPECT_EQ(Keys(value), ddl_keys);
        break;
      case SimMessage::Kind::kWatermark:
        ASSERT_TRUE(value.ends_with("}"));
        EXPECT_EQ(Keys(value), watermark_keys);
        break;
    }
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST(FeedGeneratorTest, FieldsFollowTheProtocol) {
  std::int64_t now = 1700000000000;
  FeedGenerator gen(FixedClock(9, &now));
  std::uint64_t last_commit_ts = 0;
  std::set<std::string> ops, tables;
  int hostile = 0, promoted = 0;
  simdjson::dom::parser parser;
  for (const SimMessage& m : Generate(gen, 1200)) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(m.value).get(doc), simdjson::SUCCESS) << m.value;
    const std::string_view type = doc["type"].get_string().value();
    if (m.kind == SimMessage::Kind::kWatermark) {
      const std::uint64_t wm = doc["_tidb"]["watermarkTs"].get_uint64().value();
      EXPECT_EQ(doc["es"].get_uint64().value(), wm >> 18);
      EXPECT_GT(wm, last_commit_ts) << "a watermark is above every commitTs sent before it";
      continue;
    }
    const std::uint64_t commit_ts = doc["_tidb"]["commitTs"].get_uint64().value();
    EXPECT_EQ(doc["es"].get_uint64().value(), commit_ts >> 18);
    EXPECT_GE(commit_ts, last_commit_ts) << "commitTs never goes back";
    last_commit_ts = commit_ts;
    if (m.kind == SimMessage::Kind::kDdl) {
      EXPECT_EQ(m.partition, 0);
      EXPECT_TRUE(doc["isDdl"].get_bool().value());
      EXPECT_TRUE(type == "CINDEX" || type == "DINDEX" || type == "ALTER");
      continue;
    }
    ops.insert(std::string(type));
    tables.insert(std::string(doc["table"].get_string().value()));
    EXPECT_EQ(m.partition, TablePartition("appdb", m.table, 6)) << "one partition per table";
    for (auto [col, value] : doc["data"].at(0).get_object()) {
      EXPECT_TRUE(value.is_string() || value.is_null()) << col;
      if (value.is_string() && value.get_string().value() == kHostileValues[0]) ++hostile;
    }
    if (type == "UPDATE") {
      simdjson::dom::object old_row = doc["old"].at(0).get_object();
      EXPECT_EQ(old_row.size(), doc["data"].at(0).get_object().size()) << "full old row";
    } else {
      EXPECT_TRUE(doc["old"].is_null());
    }
    if (m.table == "orders" && doc["sqlType"]["id"].get_int64().value() == 3) ++promoted;
  }
  EXPECT_EQ(ops, (std::set<std::string>{"INSERT", "UPDATE", "DELETE"}));
  EXPECT_EQ(tables, (std::set<std::string>{"users", "orders", "files"}));
  EXPECT_GT(hostile, 0);
  EXPECT_GT(promoted, 0) << "order ids pass 2^63, where sqlType becomes DECIMAL";
}

TEST(FeedGeneratorTest, WatermarksGoToEveryPartitionWithOneTimestamp) {
  std::int64_t now = 1700000000000;
  FeedGenerator gen(FixedClock(1, &now));
  const auto marks = gen.Watermarks();
  ASSERT_EQ(marks.size(), 6u);
  for (std::int32_t p = 0; p < 6; ++p) {
    EXPECT_EQ(marks[static_cast<std::size_t>(p)].partition, p);
    EXPECT_EQ(Keys(marks[static_cast<std::size_t>(p)].value), Keys(marks[0].value));
  }
}

TEST(CanalJsonWriterTest, BinaryValuesAreIso88591CodePointsEscapedLikeTiCdc) {
  // The bytes of examples.ndjson line 24 (pingcap/docs "Binary and Blob types").
  const std::string bytes{5, 7, 10, 15, 36, 50, 43, 99, 120, 60, 38, '\xff', '\xfe', 45, 55, 70};
  const std::vector<SimColumn> columns{{"id", 4, "int"}, {"c_varbinary", 2004, "varbinary", true}};
  SimDml dml{.database = "test",
             .table = "t",
             .pk_names = {"id"},
             .type = "INSERT",
             .commit_ts = 429918007904436226ULL,
             .ts_ms = 1,
             .columns = &columns,
             .mysql_type_order = {0, 1},
             .data = {"1", bytes},
             .old = std::nullopt};
  const std::string out = EncodeCanalDml(dml);
  EXPECT_NE(out.find(R"("c_varbinary":"\u0005\u0007\n\u000f$2+cx\u003c\u0026ÿþ-7F")"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(R"("_tidb":{"commitTs":429918007904436226}})"), std::string::npos);
}

TEST(CanalJsonWriterTest, UnsignedPromotionAndPartitioning) {
  EXPECT_EQ(UnsignedSqlType("tinyint unsigned", -6, "128"), 5);
  EXPECT_EQ(UnsignedSqlType("smallint unsigned", 5, "32768"), 4);
  EXPECT_EQ(UnsignedSqlType("int unsigned", 4, "2147483648"), -5);
  EXPECT_EQ(UnsignedSqlType("bigint unsigned", -5, "9223372036854775808"), 3);
  EXPECT_EQ(UnsignedSqlType("bigint unsigned", -5, "9223372036854775807"), -5);
  EXPECT_EQ(TablePartition("appdb", "users", 1), 0);
  for (const char* t : {"users", "orders", "files"}) {
    const std::int32_t p = TablePartition("appdb", t, 16);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, 16);
    EXPECT_EQ(p, TablePartition("appdb", t, 16));
  }
}

}  // namespace
}  // namespace cdc
