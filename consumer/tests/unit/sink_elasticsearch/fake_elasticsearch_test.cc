// The fake follows the bulk contract (../shared/elasticsearch/BULK-CONTRACT.md): the sink tests
// are only as good as this.
#include "fakes/fake_elasticsearch.h"

#include <gtest/gtest.h>

#include "sink/elasticsearch/http_client.h"

namespace cdc::testing {
namespace {

using es::HttpClient;
using es::HttpRequest;
using es::HttpResponse;

class FakeElasticsearchTest : public ::testing::Test {
 protected:
  explicit FakeElasticsearchTest(FakeElasticsearchOptions o = {}) : fake_(o) {}
  void SetUp() override {
    ASSERT_TRUE(fake_.Start().ok());
    auto client = HttpClient::Create({});
    ASSERT_TRUE(client.has_value());
    client_ = std::move(*client);
  }
  HttpResponse Send(std::string method, std::string path, std::string body = {},
                    std::string content_type = "application/x-ndjson") {
    HttpRequest r;
    r.method = method;
    r.url = fake_.url() + path;
    r.body = body;
    r.content_type = content_type;
    auto response = client_->Send(r);
    EXPECT_TRUE(response.has_value());
    return response.value_or(HttpResponse{});
  }

  FakeElasticsearch fake_;
  std::unique_ptr<HttpClient> client_;
};

constexpr const char* kCreateA = "{\"create\":{\"_index\":\"i\",\"_id\":\"a\"}}\n{\"v\":1}\n";
constexpr const char* kCreateB = "{\"create\":{\"_index\":\"i\",\"_id\":\"b\"}}\n{\"v\":2}\n";

TEST_F(FakeElasticsearchTest, EveryResponseNamesTheProduct) {
  EXPECT_EQ(Send("GET", "/").Header("x-elastic-product"), "Elasticsearch");
  EXPECT_EQ(Send("POST", "/_bulk", "bad").Header("x-elastic-product"), "Elasticsearch");
}

TEST_F(FakeElasticsearchTest, RequiresTheFinalNewlineAndAppliesNothingWithoutIt) {
  std::string body = std::string(kCreateA) + kCreateB;
  body.pop_back();
  const HttpResponse r = Send("POST", "/_bulk", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("must be terminated by a newline"), std::string::npos);
  EXPECT_EQ(fake_.DocumentCount(), 0u);
}

TEST_F(FakeElasticsearchTest, CreateAnswersPositionallyWith409ForExistingIds) {
  const HttpResponse r = Send("POST", "/_bulk", std::string(kCreateA) + kCreateB + kCreateA);
  ASSERT_EQ(r.status, 200);
  const auto first = r.body.find("\"status\":201");
  const auto second = r.body.find("\"status\":201", first + 1);
  const auto conflict = r.body.find("\"status\":409");
  EXPECT_LT(first, second);
  EXPECT_LT(second, conflict);
  EXPECT_NE(r.body.find("version_conflict_engine_exception"), std::string::npos);
  EXPECT_NE(r.body.find("\"errors\":true"), std::string::npos);
  EXPECT_EQ(fake_.DocumentCount(), 2u);
  EXPECT_EQ(*fake_.Document("i", "a"), "{\"v\":1}");
}

TEST_F(FakeElasticsearchTest, DeleteOfAMissingDocumentIs404NotAnError) {
  const HttpResponse r = Send("POST", "/_bulk", "{\"delete\":{\"_index\":\"i\",\"_id\":\"x\"}}\n");
  EXPECT_NE(r.body.find("\"result\":\"not_found\""), std::string::npos);
  EXPECT_NE(r.body.find("\"status\":404"), std::string::npos);
  EXPECT_NE(r.body.find("\"errors\":false"), std::string::npos);
}

TEST_F(FakeElasticsearchTest, RefusesUnknownParametersAndContentTypes) {
  EXPECT_EQ(Send("POST", "/_bulk?refresh=false&include_source_on_error=false", kCreateA).status,
            200);
  const HttpResponse unknown = Send("POST", "/_bulk?nonsense=1", kCreateB);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("unrecognized parameter: [nonsense]"), std::string::npos);
  EXPECT_EQ(Send("POST", "/_bulk", kCreateB, "text/plain").status, 406);
  EXPECT_EQ(fake_.DocumentCount(), 1u);
}

TEST_F(FakeElasticsearchTest, MalformedActionLineFailsTheWholeRequest) {
  const HttpResponse r = Send("POST", "/_bulk", std::string(kCreateA) + "{\"create\":[]}\n{}\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(fake_.DocumentCount(), 0u);
}

TEST_F(FakeElasticsearchTest, TooLargeIs413WithAnEmptyBody) {
  fake_.SetMaxContentLength(10);
  const HttpResponse r = Send("POST", "/_bulk", kCreateA);
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(FakeElasticsearchTest, PathIndexIsTheDefault) {
  Send("POST", "/logs/_bulk", "{\"create\":{\"_id\":\"z\"}}\n{}\n");
  EXPECT_TRUE(fake_.Document("logs", "z").has_value());
}

TEST_F(FakeElasticsearchTest, ElasticsearchRefusesFlatObject) {
  const std::string t =
      R"({"index_patterns":["x*"],"template":{"mappings":{"properties":{"data":{"type":"flat_object"}}}}})";
  EXPECT_EQ(Send("PUT", "/_index_template/x", t, "application/json").status, 400);
  EXPECT_EQ(Send("GET", "/_index_template/x").status, 404);
}

class FakeOpenSearchTest : public FakeElasticsearchTest {
 protected:
  FakeOpenSearchTest() : FakeElasticsearchTest(Options()) {}
  static FakeElasticsearchOptions Options() {
    FakeElasticsearchOptions o;
    o.flavor = FakeFlavor::kOpenSearch;
    return o;
  }
};

TEST_F(FakeOpenSearchTest, LooksLikeOpenSearch) {
  const HttpResponse root = Send("GET", "/");
  EXPECT_TRUE(root.Header("x-elastic-product").empty());
  EXPECT_NE(root.body.find("\"distribution\":\"opensearch\""), std::string::npos);
  const std::string t =
      R"({"index_patterns":["x*"],"template":{"mappings":{"properties":{"data":{"type":"flattened"}}}}})";
  EXPECT_EQ(Send("PUT", "/_index_template/x", t, "application/json").status, 400);
  EXPECT_EQ(Send("POST", "/_bulk?include_source_on_error=false", kCreateA).status, 400);
  fake_.FailNextItems(1, 429);
  EXPECT_NE(Send("POST", "/_bulk", kCreateA).body.find("\"type\":\"rejected_execution_exception\""),
            std::string::npos);
}

}  // namespace
}  // namespace cdc::testing
