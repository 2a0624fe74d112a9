#include "sink/sqlite/sqlite_event_store.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "sink/sqlite/json_text.h"
#include "sink/sqlite/sqlite_sink.h"
#include "support/test_env.h"
#include "unit/sink_sqlite/sink_test_util.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
using testing::MakeRecord;

// Ids of the documents in a QueryJson answer, in order; fails the test on invalid JSON.
std::vector<std::string> Ids(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  std::vector<std::string> ids;
  simdjson::dom::array arr;
  if (doc.get_array().get(arr) != simdjson::SUCCESS) return ids;
  for (auto el : arr) {
    std::string_view id;
    EXPECT_EQ(el["id"].get_string().get(id), simdjson::SUCCESS);
    simdjson::dom::object obj;
    EXPECT_EQ(el["doc"].get_object().get(obj), simdjson::SUCCESS) << "doc is embedded as JSON";
    ids.emplace_back(id);
  }
  return ids;
}

class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteSinkOptions o;
    o.path = dir_.File("events.db");
    o.linger = 1ms;
    SqliteSink sink(o, &acks_, nullptr);
    ASSERT_TRUE(sink.Start().ok());
    Batch b{
        MakeRecord("u1", "users", Op::kInsert, "alice@example.com", 1),
        MakeRecord("u2", "users", Op::kUpdate, "bob builder", 2),
        MakeRecord("o1", "orders", Op::kInsert, "paid order", 3),
        MakeRecord("o2", "orders", Op::kDelete, "cancelled order", 4),
        MakeRecord("x1", "users", Op::kInsert, "<img src=x onerror=alert(1)>", 5),
        MakeRecord("x2", "users", Op::kInsert, "</script><script>alert(1)</script>", 6),
        MakeRecord("q1", "files", Op::kInsert, "say \"hi\" & 'bye' \\ NEAR(a b) -x:y*", 7),
    };
    ASSERT_TRUE(sink.TrySubmit(b));
    ASSERT_TRUE(testing::WaitFor([&] { return acks_.size() == 7; }, 5s));
    ASSERT_TRUE(sink.Stop(2s).ok());
  }
  std::vector<std::string> Query(EventQuery q) {
    auto json = store_.QueryJson(q);
    EXPECT_TRUE(json.has_value()) << (json ? "" : json.error().ToString());
    return json ? Ids(*json) : std::vector<std::string>{};
  }

  testing::TempDir dir_;
  testing::RecordingAcks acks_;
  SqliteEventStore store_{dir_.File("events.db")};
};

TEST_F(EventStoreTest, NewestFirstWithLimit) {
  EXPECT_EQ(Query({.limit = 3}), (std::vector<std::string>{"q1", "x2", "x1"}));
  EXPECT_EQ(Query({.limit = 100}).size(), 7u);
}

TEST_F(EventStoreTest, FiltersByTableAndOpAndDatabase) {
  EXPECT_EQ(Query({.table = "orders"}), (std::vector<std::string>{"o2", "o1"}));
  EXPECT_EQ(Query({.table = "users", .op = "insert"}),
            (std::vector<std::string>{"x2", "x1", "u1"}));
  EXPECT_EQ(Query({.op = "delete"}), (std::vector<std::string>{"o2"}));
  EXPECT_TRUE(Query({.database = "otherdb"}).empty());
  EXPECT_TRUE(Query({.table = "users' OR '1'='1"}).empty());
}

TEST_F(EventStoreTest, FullTextSearchMatchesWordsAndPrefixes) {
  EXPECT_EQ(Query({.q = "alice"}), (std::vector<std::string>{"u1"}));
  EXPECT_EQ(Query({.q = "alice@example.com"}), (std::vector<std::string>{"u1"}));
  EXPECT_EQ(Query({.q = "bui"}), (std::vector<std::string>{"u2"}));  // prefix of the last word
  EXPECT_EQ(Query({.q = "order"}), (std::vector<std::string>{"o2", "o1"}));
  EXPECT_EQ(Query({.q = "order paid"}), (std::vector<std::string>{"o1"}));
  EXPECT_EQ(Query({.q = "order", .op = "delete"}), (std::vector<std::string>{"o2"}));
  EXPECT_TRUE(Query({.q = "nomatch"}).empty());
}

TEST_F(EventStoreTest, HostileSearchTextIsNeverFtsOrSqlSyntax) {
  for (const char* q :
       {"\"", "\"\"", "*", "NEAR(a b)", "a OR", "AND", "-x", "x:y", "(", "^",
        "'; DROP TABLE events; --", "<>", "\\", "alert(1)", "a\"b", "NOT", "{col}:x", "\xff\xfe"}) {
    auto json = store_.QueryJson({.q = q});
    ASSERT_TRUE(json.has_value()) << q << ": " << json.error().ToString();
    Ids(*json);
  }
  EXPECT_EQ(Query({.q = "<img src=x onerror"}), (std::vector<std::string>{"x1"}));
  EXPECT_EQ(Query({.q = "</script><script>alert(1)"}), (std::vector<std::string>{"x2"}));
  EXPECT_EQ(Query({.q = "NEAR(a"}), (std::vector<std::string>{"q1"}));
  EXPECT_EQ(Query({.limit = 100}).size(), 7u) << "the table survived";
}

TEST_F(EventStoreTest, HostileValuesComeBackAsEscapedData) {
  auto json = store_.QueryJson({.q = "onerror"});
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(json->find("<img"), std::string::npos) << "< and > are escaped in the output";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(*json).get(doc), simdjson::SUCCESS);
  std::string_view name;
  ASSERT_EQ(doc.at(0)["doc"]["data"]["name"].get_string().get(name), simdjson::SUCCESS);
  EXPECT_EQ(name, "<img src=x onerror=alert(1)>");
}

TEST_F(EventStoreTest, CountsPerDatabaseTableAndOp) {
  auto counts = store_.Counts();
  ASSERT_TRUE(counts.has_value());
  std::map<std::string, std::int64_t> got;
  for (const auto& c : *counts) got[c.database + "." + c.table + "." + c.op] = c.count;
  EXPECT_EQ(got, (std::map<std::string, std::int64_t>{{"appdb.files.insert", 1},
                                                      {"appdb.orders.delete", 1},
                                                      {"appdb.orders.insert", 1},
                                                      {"appdb.users.insert", 3},
                                                      {"appdb.users.update", 1}}));
}

TEST(EventStoreOpenTest, AMissingDatabaseIsAnErrorUntilItAppears) {
  testing::TempDir dir;
  SqliteEventStore store(dir.File("later.db"));
  EXPECT_FALSE(store.QueryJson({}).has_value());
  testing::RecordingAcks acks;
  SqliteSink sink({.path = dir.File("later.db")}, &acks, nullptr);
  ASSERT_TRUE(sink.Start().ok());
  auto json = store.QueryJson({});
  ASSERT_TRUE(json.has_value()) << json.error().ToString();
  EXPECT_EQ(*json, "[]");
  EXPECT_TRUE(sink.Stop(1s).ok());
}

TEST(FtsMatchExpressionTest, QuotesEveryWord) {
  EXPECT_EQ(FtsMatchExpression(""), "");
  EXPECT_EQ(FtsMatchExpression("  <> -- "), "");
  EXPECT_EQ(FtsMatchExpression("alice"), "\"alice\"*");
  EXPECT_EQ(FtsMatchExpression("a\"b  c"), "\"a\"\"b\" \"c\"*");
}

TEST(JsonTextTest, EscapesLikeEasyjson) {
  EXPECT_EQ(JsonString("a\"b\\c\n\r\t"), "\"a\\\"b\\\\c\\n\\r\\t\"");
  EXPECT_EQ(JsonString("<&>"), "\"\\u003c\\u0026\\u003e\"");
  EXPECT_EQ(JsonString(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(JsonString("\x7f"), "\"\x7f\"");
  EXPECT_EQ(JsonString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(JsonString("\xe2\x80\xa8\xe2\x80\xa9"), "\"\\u2028\\u2029\"");
  EXPECT_EQ(JsonString("a\xff"
                       "b\xc3"),
            "\"a\\ufffdb\\ufffd\"");
  EXPECT_EQ(JsonString("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // a surrogate
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));  // overlong
}

}  // namespace
}  // namespace cdc
