// The decoder's rules, table-driven from tests/fixtures/decode/{accepted,rejected}.txt, plus the
// cases whose bytes a text fixture cannot hold (CR, invalid UTF-8, deep nesting, huge sizes).
#include "decode/canal_json_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_env.h"
#include "unit/decode/decode_cases.h"
#include "unit/decode/fixture_json.h"

namespace cdc {
namespace {

using testing::DecodeCase;
using testing::ReadDecodeCases;

// The events point into the decoder's parse, so the decoder must outlive them: one for the
// whole test binary (each test reads its events before it decodes again).
Status Decode(std::string_view payload, DecodedMessage* out) {
  static CanalJsonDecoder decoder;
  return decoder.Decode(payload, out);
}

// A users insert whose pieces the tests replace.
std::string Users(std::string_view data, std::string_view tidb = R"({"commitTs":1})") {
  return std::string(R"({"database":"appdb","table":"users","pkNames":["id"],"isDdl":false,)"
                     R"("type":"INSERT","es":1714510299375,"ts":1714510300275,"sql":"","data":)") +
         std::string(data) + R"(,"_tidb":)" + std::string(tidb) + "}";
}

TEST(CanalJsonDecoderTest, AcceptedCasesDecodeToTheirReviewedEvents) {
  const std::vector<DecodeCase> cases = ReadDecodeCases("decode/accepted.txt", false);
  ASSERT_GE(cases.size(), 25U);
  CanalJsonDecoder decoder;
  DecodedMessage message;
  for (const DecodeCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Status status = decoder.Decode(c.message, &message);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(testing::JsonDiff(c.expect, testing::DecodedToJson(message)), "");
  }
}

TEST(CanalJsonDecoderTest, RejectedCasesNameTheirReasonAndNoRowValue) {
  const std::vector<DecodeCase> cases = ReadDecodeCases("decode/rejected.txt", true);
  ASSERT_GE(cases.size(), 60U);
  CanalJsonDecoder decoder;
  DecodedMessage message;
  for (const DecodeCase& c : cases) {
    SCOPED_TRACE(c.name);
    message.events.resize(2);  // stale content must not survive a rejection
    message.watermark_ts = 7;
    const Status status = decoder.Decode(c.message, &message);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(DecodeErrorSlug(status), c.expect) << status.message();
    EXPECT_EQ(status.message().rfind(c.expect + ": ", 0), 0U) << status.message();
    EXPECT_EQ(status.message().find("s3cr3t"), std::string::npos) << status.message();
    EXPECT_TRUE(message.events.empty());
    EXPECT_FALSE(message.watermark_ts.has_value());
  }
}

TEST(CanalJsonDecoderTest, CrlfAndOtherTrailingWhitespaceAreAccepted) {
  DecodedMessage message;
  for (const char* tail : {"\r\n", "\n", "\r\n\r\n", " \t\r\n"}) {
    const Status status = Decode(Users(R"([{"id":"1"}])") + tail, &message);
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_EQ(message.events.size(), 1U);
    EXPECT_EQ(message.events[0].data[0].value, "1");
  }
}

TEST(CanalJsonDecoderTest, CrInsideTheObjectIsWhitespaceButNotInsideAString) {
  DecodedMessage message;
  EXPECT_TRUE(Decode("{\r\n" + Users(R"([{"id":"1"}])").substr(1), &message).ok());
  const Status status = Decode(Users("[{\"id\":\"a\rb\"}]"), &message);
  EXPECT_EQ(DecodeErrorSlug(status), "invalid_json") << status.ToString();
}

TEST(CanalJsonDecoderTest, EmptyAndBlankPayloadsAreInvalidJson) {
  DecodedMessage message;
  for (const char* payload : {"", " ", "\r\n"}) {
    EXPECT_EQ(DecodeErrorSlug(Decode(payload, &message)), "invalid_json");
  }
}

TEST(CanalJsonDecoderTest, InvalidUtf8IsInvalidJson) {
  DecodedMessage message;
  for (const std::string bad : {"\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf"}) {
    const Status status = Decode(Users(R"([{"id":")" + bad + R"("}])"), &message);
    EXPECT_EQ(DecodeErrorSlug(status), "invalid_json") << status.ToString();
  }
}

TEST(CanalJsonDecoderTest, NulByteAndBinaryGarbageAreRejected) {
  DecodedMessage message;
  const std::string with_nul = Users(R"([{"id":"1"}])") + std::string(1, '\0');
  EXPECT_EQ(DecodeErrorSlug(Decode(with_nul, &message)), "invalid_json");
  const std::string garbage("\x00\x01\x02\x80\xfe{", 6);
  EXPECT_EQ(DecodeErrorSlug(Decode(garbage, &message)), "invalid_json");
}

TEST(CanalJsonDecoderTest, DeeplyNestedJunkIsRejectedWithoutRecursing) {
  DecodedMessage message;
  for (const std::size_t depth : {std::size_t{65}, std::size_t{100000}}) {
    const std::string junk = std::string(depth, '[') + std::string(depth, ']');
    const std::string payload = R"({"junk":)" + junk + "," + Users(R"([{"id":"1"}])").substr(1);
    const Status status = Decode(payload, &message);
    EXPECT_EQ(DecodeErrorSlug(status), "invalid_json") << status.ToString();
  }
  // Shallow enough nesting in an unknown key is fine.
  const std::string ok = R"({"junk":)" + std::string(40, '[') + std::string(40, ']') + "," +
                         Users(R"([{"id":"1"}])").substr(1);
  EXPECT_TRUE(Decode(ok, &message).ok());
}

TEST(CanalJsonDecoderTest, HugeStringsAndWideRowsDecode) {
  DecodedMessage message;
  const std::string big(8 << 20, 'x');  // above the parser's retained capacity
  Status status = Decode(Users(R"([{"id":"1","blob":")" + big + R"("}])"), &message);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(message.events[0].data[1].value, big);

  std::string row = R"({"id":"1")";
  for (int i = 0; i < 2000; ++i)
    row += ",\"c" + std::to_string(i) + "\":\"v" + std::to_string(i) + "\"";
  status = Decode(Users("[" + row + "}]"), &message);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(message.events[0].data.size(), 2001U);
  EXPECT_EQ(message.events[0].data[2000].value, "v1999");
}

// Rows wider than the pairwise-scan limit use a hash index: duplicates and missing pk columns
// must still be found there.
TEST(CanalJsonDecoderTest, WideRowsDetectDuplicatesAndMissingPkColumns) {
  std::string row = R"({"id":"1")";
  for (int i = 0; i < 40; ++i) row += ",\"c" + std::to_string(i) + "\":\"v\"";
  DecodedMessage message;
  EXPECT_EQ(DecodeErrorSlug(Decode(Users("[" + row + R"(,"c17":"again"}])"), &message)),
            "duplicate_key");
  std::string no_pk = R"({"x":"1")";
  for (int i = 0; i < 40; ++i) no_pk += ",\"c" + std::to_string(i) + "\":\"v\"";
  EXPECT_EQ(DecodeErrorSlug(Decode(Users("[" + no_pk + "}]"), &message)), "missing_field");
  EXPECT_TRUE(Decode(Users("[" + row + "}]"), &message).ok());
}

// Wide rows take the hashed lookups for the before-image overlay and the binary columns.
TEST(CanalJsonDecoderTest, WideUpdateWithReorderedOldAndManyBinaryColumns) {
  std::string sql_type = R"({"id":4)";
  std::string data = R"({"id":"1")";
  std::string old = "{";
  for (int i = 0; i < 40; ++i) {
    const std::string name = "c" + std::to_string(i);
    sql_type += ",\"" + name + "\":" + (i % 2 == 0 ? "2004" : "12");
    data += ",\"" + name + "\":\"\\u00ff" + std::to_string(i) + "\"";
  }
  for (int i = 39; i >= 0; i -= 3) {
    old += std::string(old.size() > 1 ? "," : "") + "\"c" + std::to_string(i) + "\":\"old\"";
  }
  std::string payload = Users("[" + data + "}]");
  payload.replace(payload.find(R"("type":"INSERT")"), 15, R"("type":"UPDATE")");
  payload.replace(payload.find(R"("data":)"), 7,
                  R"("sqlType":)" + sql_type + R"(},"old":[)" + old + R"(}],"data":)");
  DecodedMessage message;
  const Status status = Decode(payload, &message);
  ASSERT_TRUE(status.ok()) << status.ToString();
  const ChangeEvent& event = message.events.at(0);
  ASSERT_EQ(event.old.size(), 41U);
  for (int i = 0; i < 40; ++i) {
    SCOPED_TRACE(i);
    const ColumnValue& after = event.data[static_cast<std::size_t>(i) + 1];
    const ColumnValue& before = event.old[static_cast<std::size_t>(i) + 1];
    EXPECT_EQ(after.is_binary, i % 2 == 0);
    EXPECT_EQ(before.is_binary, i % 2 == 0);
    EXPECT_EQ(after.value, (i % 2 == 0 ? "\xff" : "\xc3\xbf") + std::to_string(i));
    EXPECT_EQ(before.value, (39 - i) % 3 == 0 ? std::string("old") : after.value);
  }
}

TEST(CanalJsonDecoderTest, TooManyPkNamesIsTooLarge) {
  std::string names;
  std::string row;
  for (int i = 0; i < 65; ++i) {
    names += std::string(i == 0 ? "" : ",") + "\"k" + std::to_string(i) + "\"";
    row += std::string(i == 0 ? "" : ",") + "\"k" + std::to_string(i) + "\":\"1\"";
  }
  std::string payload = Users("[{" + row + "}]");
  payload.replace(payload.find(R"(["id"])"), 6, "[" + names + "]");
  DecodedMessage message;
  EXPECT_EQ(DecodeErrorSlug(Decode(payload, &message)), "too_large");
}

TEST(CanalJsonDecoderTest, OversizedMessageIsTooLarge) {
  // Whitespace is valid JSON padding: only the size makes this message unacceptable.
  std::string payload = Users(R"([{"id":"1"}])");
  payload.resize((64 << 20) + 1, ' ');
  DecodedMessage message;
  EXPECT_EQ(DecodeErrorSlug(Decode(payload, &message)), "too_large");
}

TEST(CanalJsonDecoderTest, SlugOfForeignAndOkStatuses) {
  EXPECT_EQ(DecodeErrorSlug(Status::Ok()), "");
  EXPECT_EQ(DecodeErrorSlug(Status::Transient("invalid_json: nope")), "invalid_json");
  EXPECT_EQ(DecodeErrorSlug(Status::InvalidInput("something else")), "other");
  EXPECT_EQ(DecodeErrorSlug(Status::InvalidInput("")), "other");
}

TEST(CanalJsonDecoderTest, ErrorDetailsQuoteHostileNames) {
  DecodedMessage message;
  const Status status = Decode(Users(R"([{"id":"1","evil\nname`x":7}])"), &message);
  ASSERT_EQ(DecodeErrorSlug(status), "wrong_type");
  EXPECT_EQ(status.message().find('\n'), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("`evil\\x0aname\\x60x`"), std::string::npos) << status.message();
}

TEST(CanalJsonDecoderTest, MovedDecoderKeepsWorking) {
  CanalJsonDecoder first;
  DecodedMessage message;
  ASSERT_TRUE(first.Decode(Users(R"([{"id":"1"}])"), &message).ok());
  CanalJsonDecoder second(std::move(first));
  ASSERT_TRUE(second.Decode(Users(R"([{"id":"2"}])"), &message).ok());
  EXPECT_EQ(message.events[0].data[0].value, "2");
}

// Events are views into the decoder's parse and the message's own byte store, never into the
// payload: the payload may go away, and the message may move (ASan checks the reads).
TEST(CanalJsonDecoderTest, EventsOutliveThePayloadAndSurviveAMove) {
  CanalJsonDecoder decoder;
  DecodedMessage decoded;
  {
    std::string payload = R"({"database":"appdb","table":"files","pkNames":["id"],"isDdl":false,)"
                          R"("type":"UPDATE","es":1,"ts":2,"sql":"","sqlType":{"id":4,"b":2004},)"
                          R"("data":[{"id":"1","b":"\u00ff\u0001"}],"old":[{"b":"A"}],)"
                          R"("_tidb":{"commitTs":1}})";
    ASSERT_TRUE(decoder.Decode(payload, &decoded).ok());
    payload.assign(payload.size(), '#');  // overwrite, then free
  }
  const DecodedMessage moved = std::move(decoded);
  ASSERT_EQ(moved.events.size(), 1U);
  const ChangeEvent& event = moved.events[0];
  EXPECT_EQ(event.database, "appdb");
  EXPECT_EQ(event.table, "files");
  ASSERT_EQ(event.data.size(), 2U);
  EXPECT_EQ(event.data[1].name, "b");
  EXPECT_EQ(event.data[1].value, std::string_view("\xff\x01", 2));
  ASSERT_EQ(event.old.size(), 2U);
  EXPECT_EQ(event.old[1].value, "A");
}

// A decoder survives every rejection: the next good message decodes normally.
TEST(CanalJsonDecoderTest, RecoversAfterEachRejection) {
  CanalJsonDecoder decoder;
  DecodedMessage message;
  for (const DecodeCase& c : ReadDecodeCases("decode/rejected.txt", true)) {
    SCOPED_TRACE(c.name);
    ASSERT_FALSE(decoder.Decode(c.message, &message).ok());
    ASSERT_TRUE(decoder.Decode(Users(R"([{"id":"9"}])"), &message).ok());
    ASSERT_EQ(message.events.size(), 1U);
    EXPECT_EQ(message.events[0].data[0].value, "9");
  }
}

}  // namespace
}  // namespace cdc
