// Every line of the shared TiCDC canal-json examples decodes to the events written and reviewed
// in tests/fixtures/decode/example-NN.json (NN = line number). The transform tests shape those
// same fixture events into tests/fixtures/documents/example-NN.json, and the decode command test
// runs the whole chain over the file again.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "decode/canal_json_decoder.h"
#include "support/test_env.h"
#include "unit/decode/fixture_json.h"

namespace cdc {
namespace {

constexpr std::size_t kExampleLines = 26;

std::string ExampleFixture(std::size_t line) {
  char name[48];  // room for any size_t, or -O2 builds warn (-Wformat-truncation)
  std::snprintf(name, sizeof(name), "decode/example-%02zu.json", line);
  return testing::FixturePath(name);
}

std::vector<std::string> ExampleLines() {
  return testing::ReadLines(testing::SharedPath("ticdc-canal-json/examples.ndjson"));
}

TEST(CanalJsonExamplesTest, EveryLineDecodesToItsReviewedFixture) {
  const std::vector<std::string> lines = ExampleLines();
  ASSERT_EQ(lines.size(), kExampleLines);
  CanalJsonDecoder decoder;
  DecodedMessage message;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE("examples.ndjson line " + std::to_string(i + 1));
    const Status status = decoder.Decode(lines[i], &message);
    ASSERT_TRUE(status.ok()) << status.ToString();
    const std::string actual = testing::DecodedToJson(message);
    if (testing::RegenerateFixtures()) {
      testing::WriteFile(ExampleFixture(i + 1), actual);
      continue;
    }
    EXPECT_EQ(testing::JsonDiff(testing::ReadFile(ExampleFixture(i + 1)), actual), "");
  }
}

// TiCDC v6.5.0-v6.5.11 end every DML value with "\r\n" (tiflow#11707); the bytes of the message
// must not change what it decodes to.
TEST(CanalJsonExamplesTest, CrlfTerminatorDecodesLikeTheBareMessage) {
  const std::vector<std::string> lines = ExampleLines();
  CanalJsonDecoder decoder;
  DecodedMessage bare;
  DecodedMessage crlf;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE("examples.ndjson line " + std::to_string(i + 1));
    ASSERT_TRUE(decoder.Decode(lines[i], &bare).ok());
    const std::string bare_json = testing::DecodedToJson(bare);
    ASSERT_TRUE(decoder.Decode(lines[i] + "\r\n", &crlf).ok());
    EXPECT_EQ(testing::DecodedToJson(crlf), bare_json);
  }
}

// One decoder and one DecodedMessage are reused on the hot path: decoding a message must not
// leave anything of the previous one behind (more rows before, fewer after, a watermark).
TEST(CanalJsonExamplesTest, ReusedOutputHoldsOnlyTheLatestMessage) {
  const std::vector<std::string> lines = ExampleLines();
  CanalJsonDecoder fresh_decoder;
  CanalJsonDecoder reused_decoder;
  DecodedMessage reused;
  for (std::size_t round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::size_t index = round == 0 ? i : lines.size() - 1 - i;
      SCOPED_TRACE("line " + std::to_string(index + 1));
      DecodedMessage fresh;
      ASSERT_TRUE(fresh_decoder.Decode(lines[index], &fresh).ok());
      ASSERT_TRUE(reused_decoder.Decode(lines[index], &reused).ok());
      EXPECT_EQ(testing::DecodedToJson(reused), testing::DecodedToJson(fresh));
    }
  }
}

}  // namespace
}  // namespace cdc
