#include "local/events_api.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>

#include "sink/sqlite/json_text.h"
#include "sink/sqlite/sqlite_sink.h"
#include "support/test_env.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;

class CountingAcks : public AckSink {
 public:
  void Ack(const SinkRecord&, DeliveryOutcome) override { ++acked; }
  std::atomic<int> acked{0};
};

// A backend that records the query it was given and answers with a fixed body or an error.
class FakeBackend : public EventQueryBackend {
 public:
  Result<std::string> QueryEvents(const EventQuery& q) override {
    last = q;
    ++calls;
    if (fail) return Err(Status::Transient("sqlite step: disk I/O error"));
    return std::string("[]");
  }
  Result<std::vector<EventCount>> CountEvents() override {
    if (fail) return Err(Status::Transient("x"));
    return std::vector<EventCount>{{"appdb", "users", "insert", 3}, {"appdb", "orders", "ddl", 1}};
  }
  EventQuery last;
  int calls = 0;
  bool fail = false;
};

std::string ErrorText(const ApiResponse& r) {
  simdjson::dom::parser parser;
  std::string_view text;
  EXPECT_EQ(parser.parse(r.body)["error"].get_string().get(text), simdjson::SUCCESS) << r.body;
  return std::string(text);
}

TEST(EventsApiTest, PassesValidatedParametersToTheBackend) {
  FakeBackend backend;
  const ApiResponse r = HandleEventsRequest(backend, {{"q", "alice bob"},
                                                      {"table", "users"},
                                                      {"database", "appdb"},
                                                      {"op", "update"},
                                                      {"limit", "500"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "[]");
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(backend.last.q, "alice bob");
  EXPECT_EQ(backend.last.table, "users");
  EXPECT_EQ(backend.last.database, "appdb");
  EXPECT_EQ(backend.last.op, "update");
  EXPECT_EQ(backend.last.limit, 500);
  EXPECT_EQ(HandleEventsRequest(backend, {}).status, 200);
  EXPECT_EQ(backend.last.limit, kDefaultEventsLimit);
  // The documented form with every parameter present but empty means "no filter".
  EXPECT_EQ(
      HandleEventsRequest(backend, {{"q", ""}, {"table", ""}, {"op", ""}, {"limit", ""}}).status,
      200);
  EXPECT_EQ(backend.last.limit, kDefaultEventsLimit);
  EXPECT_EQ(backend.last.op, "");
}

TEST(EventsApiTest, RejectsBadParametersWith400AndNeverEchoesThem) {
  FakeBackend backend;
  const std::string secret = "<script>SENTINEL</script>";
  const std::vector<QueryParams> bad = {
      {{"limit", "0"}},
      {{"limit", "501"}},
      {{"limit", "10abc"}},
      {{"limit", "-1"}},
      {{"limit", " 5"}},
      {{"limit", "99999999999999999999"}},
      {{"op", "drop"}},
      {{"op", secret}},
      {{"q", "a"}, {"q", "b"}},
      {{secret, "1"}},
      {{"q", std::string(257, 'x')}},
      {{"table", "\xff\xfe"}},
  };
  for (const auto& params : bad) {
    const ApiResponse r = HandleEventsRequest(backend, params);
    EXPECT_EQ(r.status, 400) << params.begin()->first;
    EXPECT_FALSE(ErrorText(r).empty());
    EXPECT_EQ(r.body.find("SENTINEL"), std::string::npos);
  }
  EXPECT_EQ(backend.calls, 0);
  EXPECT_NE(ErrorText(HandleEventsRequest(backend, {{"limit", "0"}})).find("1 to 500"),
            std::string::npos);
}

TEST(EventsApiTest, StoreFailureIs503WithoutDetails) {
  FakeBackend backend;
  backend.fail = true;
  const ApiResponse r = HandleEventsRequest(backend, {});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body.find("disk"), std::string::npos);
  EXPECT_EQ(HandleCountsRequest(backend, {}).status, 503);
}

TEST(EventsApiTest, CountsAsJson) {
  FakeBackend backend;
  const ApiResponse r = HandleCountsRequest(backend, {});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"counts":[{"database":"appdb","table":"users","op":"insert","count":3},)"
                    R"({"database":"appdb","table":"orders","op":"ddl","count":1}],"total":4})");
  EXPECT_EQ(HandleCountsRequest(backend, {{"x", "1"}}).status, 400);
}

TEST(EventsApiTest, HostileValuesFromARealStoreComeBackAsValidJsonData) {
  const std::string dir = std::filesystem::temp_directory_path() / "cdc-api-test-XXXXXX";
  std::string tmpl = dir;
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::string path = tmpl + "/events.db";
  CountingAcks acks;
  SqliteSink sink({.path = path, .linger = 1ms}, &acks, nullptr);
  ASSERT_TRUE(sink.Start().ok());
  Batch batch;
  const std::vector<std::string> hostile = {"<img src=x onerror=alert(1)>",
                                            "</script><script>alert(1)</script>",
                                            "\"quoted\" \\ \u2028 & 'single'"};
  for (std::size_t i = 0; i < hostile.size(); ++i) {
    SinkRecord r;
    r.doc.id = "h" + std::to_string(i);
    r.doc.database = "appdb";
    r.doc.table = hostile[i];  // even a hostile table name is data
    r.doc.op = Op::kInsert;
    r.doc.source_json = "{\"data\":{\"username\":" + JsonString(hostile[i]) + "}}";
    batch.push_back(std::move(r));
  }
  ASSERT_TRUE(sink.TrySubmit(batch));
  ASSERT_TRUE(testing::WaitFor([&] { return acks.acked.load() == 3; }, 5s));
  SqliteQueryBackend backend(path);
  const ApiResponse r = HandleEventsRequest(backend, {{"q", "alert"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find('<'), std::string::npos) << "markup characters are escaped";
  simdjson::dom::parser parser;
  simdjson::dom::array rows;
  ASSERT_EQ(parser.parse(r.body).get_array().get(rows), simdjson::SUCCESS) << r.body;
  std::set<std::string> got;
  for (auto row : rows) {
    got.insert(std::string(row["doc"]["data"]["username"].get_string().value()));
    EXPECT_EQ(row["table"].get_string().value(),
              row["doc"]["data"]["username"].get_string().value());
  }
  EXPECT_EQ(got, (std::set<std::string>{hostile[0], hostile[1]}));
  const ApiResponse counts = HandleCountsRequest(backend, {});
  ASSERT_EQ(counts.status, 200);
  ASSERT_EQ(parser.parse(counts.body)["total"].get_int64().value(), 3);
  EXPECT_TRUE(sink.Stop(1s).ok());
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace cdc
