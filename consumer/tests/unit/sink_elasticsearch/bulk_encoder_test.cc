#include "sink/elasticsearch/bulk_encoder.h"

#include <gtest/gtest.h>

#include <string>

#include "unit/decode/fixture_json.h"

namespace cdc {
namespace {

Document Doc(std::string id, std::string source) {
  Document doc;
  doc.id = std::move(id);
  doc.source_json = std::move(source);
  return doc;
}

TEST(BulkEncoderTest, CreateActionThenSourceEachOnItsOwnLine) {
  std::string body;
  AppendBulkCreate("cdc-events", Doc("1-insert-ab", R"({"a":1})"), &body);
  EXPECT_EQ(body, "{\"create\":{\"_index\":\"cdc-events\",\"_id\":\"1-insert-ab\"}}\n{\"a\":1}\n");
}

TEST(BulkEncoderTest, AppendsItemsToTheBody) {
  std::string body = "existing\n";
  AppendBulkCreate("i", Doc("a", "{}"), &body);
  AppendBulkCreate("i", Doc("b", "{}"), &body);
  EXPECT_EQ(body,
            "existing\n"
            "{\"create\":{\"_index\":\"i\",\"_id\":\"a\"}}\n{}\n"
            "{\"create\":{\"_index\":\"i\",\"_id\":\"b\"}}\n{}\n");
}

TEST(BulkEncoderTest, IndexAndIdAreJsonEscaped) {
  std::string body;
  AppendBulkCreate("we\"ird\\index\n", Doc("id\"\x01", "{}"), &body);
  const std::string action = body.substr(0, body.find('\n'));
  EXPECT_EQ(action, R"({"create":{"_index":"we\"ird\\index\n","_id":"id\"\u0001"}})");
  EXPECT_TRUE(testing::IsValidJson(action));
  EXPECT_EQ(body.substr(action.size()), "\n{}\n");
}

TEST(BulkEncoderTest, TextOutsidePlainAsciiTakesTheEscapingPath) {
  // UTF-8 in the index name passes through; an invalid byte in an id becomes U+FFFD, as for
  // every string the consumer writes.
  std::string body;
  AppendBulkCreate("\xc3\xadndice", Doc("a\xff", "{}"), &body);
  const std::string action = body.substr(0, body.find('\n'));
  EXPECT_EQ(action, "{\"create\":{\"_index\":\"\xc3\xadndice\",\"_id\":\"a\xef\xbf\xbd\"}}");
  EXPECT_TRUE(testing::IsValidJson(action));
}

}  // namespace
}  // namespace cdc
