// BatchDecoder decodes each message of a batch exactly as a lone CanalJsonDecoder would, keeps
// every lane's events valid until its next call, and only ever lets lane 0 grow.
#include "decode/batch_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "support/test_env.h"
#include "unit/decode/decode_cases.h"
#include "unit/decode/fixture_json.h"

namespace cdc {
namespace {

// Every message the decoder's fixtures hold, accepted and rejected interleaved, so that batches
// mix successes and failures.
std::vector<std::string> MixedMessages() {
  std::vector<std::string> out =
      testing::ReadLines(testing::SharedPath("ticdc-canal-json/examples.ndjson"));
  const auto accepted = testing::ReadDecodeCases("decode/accepted.txt", false);
  const auto rejected = testing::ReadDecodeCases("decode/rejected.txt", true);
  for (std::size_t i = 0; i < std::max(accepted.size(), rejected.size()); ++i) {
    if (i < accepted.size()) out.push_back(accepted[i].message);
    if (i < rejected.size()) out.push_back(rejected[i].message);
  }
  return out;
}

// What a lone decoder makes of `payload`: the events as fixture JSON, or the error.
std::string DecodeAlone(std::string_view payload) {
  CanalJsonDecoder decoder;
  DecodedMessage message;
  const Status status = decoder.Decode(payload, &message);
  return status.ok() ? testing::DecodedToJson(message) : status.ToString();
}

std::string Outcome(const BatchDecoder& batch, std::size_t lane) {
  return batch.status(lane).ok() ? testing::DecodedToJson(batch.message(lane))
                                 : batch.status(lane).ToString();
}

std::string UsersInsert(std::string_view username) {
  return R"({"database":"appdb","table":"users","pkNames":["id"],"isDdl":false,"type":"INSERT",)"
         R"("es":1714510299375,"ts":1714510300275,"data":[{"id":"1","username":")" +
         std::string(username) + R"("}],"_tidb":{"commitTs":449448587919360000}})";
}

TEST(BatchDecoderTest, EachMessageDecodesAsItWouldAlone) {
  const std::vector<std::string> messages = MixedMessages();
  ASSERT_GT(messages.size(), 100U);
  std::vector<std::string> expected;
  for (const std::string& m : messages) expected.push_back(DecodeAlone(m));

  BatchDecoder batch;
  std::size_t rejected = 0;
  for (std::size_t begin = 0; begin < messages.size();) {
    std::vector<std::string_view> payloads(messages.begin() + static_cast<std::ptrdiff_t>(begin),
                                           messages.end());
    const std::size_t taken = batch.Decode(payloads);
    ASSERT_EQ(taken, std::min(payloads.size(), BatchDecoder::kLanes));
    // Read only after the whole batch is decoded: every lane's events must still be valid.
    for (std::size_t lane = 0; lane < taken; ++lane) {
      SCOPED_TRACE("message " + std::to_string(begin + lane));
      EXPECT_EQ(Outcome(batch, lane), expected[begin + lane]);
      rejected += batch.status(lane).ok() ? 0 : 1;
    }
    begin += taken;
  }
  EXPECT_GT(rejected, 50U);  // the mix really had failures beside successes
}

TEST(BatchDecoderTest, LargeMessageIsOnlyTakenFirstInABatch) {
  const std::string small = UsersInsert("alice");
  const std::string large = UsersInsert(std::string(CanalJsonDecoder::kPreallocatedBytes + 1, 'x'));
  BatchDecoder batch;

  const std::vector<std::string_view> large_second = {small, large, small};
  EXPECT_EQ(batch.Decode(large_second), 1U);
  EXPECT_TRUE(batch.status(0).ok());

  const std::vector<std::string_view> large_first = {large, small, small};
  ASSERT_EQ(batch.Decode(large_first), 3U);
  for (std::size_t lane = 0; lane < 3; ++lane) {
    ASSERT_TRUE(batch.status(lane).ok()) << batch.status(lane).ToString();
    EXPECT_EQ(Outcome(batch, lane), DecodeAlone(large_first[lane]));
  }
  EXPECT_EQ(batch.message(0).events.at(0).data.at(1).value.size(),
            CanalJsonDecoder::kPreallocatedBytes + 1);
}

TEST(BatchDecoderTest, EmptyInputTakesNothing) {
  BatchDecoder batch;
  EXPECT_EQ(batch.Decode({}), 0U);
}

}  // namespace
}  // namespace cdc
