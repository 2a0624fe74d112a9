// CanalMessageDecoder::DecodeAll, which decodes records in batches before it shapes them, gives
// every record the same documents, watermark and status as Decode one record at a time.
#include "pipeline/canal_message_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_env.h"
#include "unit/decode/decode_cases.h"
#include "unit/decode/fixture_json.h"

namespace cdc {
namespace {

std::string Describe(const Status& status, const kafka::DecodedRecord& record) {
  if (!status.ok()) return status.ToString();
  std::string out = "watermark=" + (record.watermark_ts ? std::to_string(*record.watermark_ts)
                                                        : std::string("none"));
  for (const Document& doc : record.documents) out += "\n" + doc.id + " " + doc.source_json;
  return out;
}

// Examples, accepted and rejected cases, and messages too large for a batch lane, in one list.
std::vector<std::string> Payloads() {
  std::vector<std::string> out =
      testing::ReadLines(testing::SharedPath("ticdc-canal-json/examples.ndjson"));
  for (const auto& c : testing::ReadDecodeCases("decode/accepted.txt", false)) {
    out.push_back(c.message);
  }
  for (const auto& c : testing::ReadDecodeCases("decode/rejected.txt", true)) {
    out.push_back(c.message);
  }
  const std::string large_value(CanalJsonDecoder::kPreallocatedBytes, 'p');
  for (std::size_t at : {3U, 4U, 40U, 41U, 42U}) {
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(at),
               R"({"database":"appdb","table":"users","pkNames":["id"],"isDdl":false,)"
               R"("type":"INSERT","es":1714510299375,"ts":1714510300275,"data":[{"id":")" +
                   std::to_string(at) + R"(","password":")" + large_value +
                   R"("}],"_tidb":{"commitTs":449448587919360000}})");
  }
  return out;
}

TEST(CanalMessageDecoderTest, DecodeAllGivesEveryRecordWhatDecodeGivesIt) {
  const std::vector<std::string> payloads = Payloads();
  ASSERT_GT(payloads.size(), 100U);

  CanalMessageDecoder one_by_one(ShaperOptions{});
  std::vector<std::string> expected;
  for (const std::string& payload : payloads) {
    kafka::DecodedRecord record;
    const Status status = one_by_one.Decode(payload, &record);
    expected.push_back(Describe(status, record));
  }

  CanalMessageDecoder batched(ShaperOptions{});
  std::vector<kafka::DecodeSlot> slots(payloads.size());
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    slots[i].payload = payloads[i];
    slots[i].record.documents.resize(3);  // stale content must not survive
  }
  batched.DecodeAll(slots);
  std::size_t documents = 0;
  std::size_t rejected = 0;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    SCOPED_TRACE("payload " + std::to_string(i));
    EXPECT_EQ(Describe(slots[i].status, slots[i].record), expected[i]);
    documents += slots[i].record.documents.size();
    if (!slots[i].status.ok()) {
      ++rejected;
      EXPECT_TRUE(slots[i].record.documents.empty());
    }
  }
  EXPECT_GT(documents, 50U);
  EXPECT_GT(rejected, 50U);
  // The large messages were decoded, and redacted, like any other.
  EXPECT_NE(slots[40].record.documents.at(0).source_json.find(R"("password":"[REDACTED]")"),
            std::string::npos);
}

}  // namespace
}  // namespace cdc
