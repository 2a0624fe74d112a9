// `cdc-consumer decode` (issue 2): stdin and FILE modes, the bulk text it writes, how it reports
// rejected inputs, exit codes, the default index and --redact-columns.
#include "app/decode_command.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_env.h"
#include "unit/decode/fixture_json.h"

namespace cdc {
namespace {

constexpr char kUsersInsert[] =
    R"({"id":0,"database":"appdb","table":"users","pkNames":["id"],"isDdl":false,)"
    R"("type":"INSERT","es":1714510299375,"ts":1714510300275,"sql":"",)"
    R"("sqlType":{"id":-5,"username":12,"password":12,"email":12},)"
    R"("mysqlType":{"id":"bigint","username":"varchar","password":"varchar","email":"varchar"},)"
    R"("old":null,"data":[{"id":"1","username":"alice","password":"hunter2",)"
    R"("email":"alice@example.com"}],"_tidb":{"commitTs":449448587919360008}})";

struct RunResult {
  int exit_code;
  std::string out;
  std::string err;
};

RunResult RunDecode(const DecodeCommandOptions& options, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunDecodeCommand(options, in, out, err);
  return {code, out.str(), err.str()};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A scratch directory for FILE-mode inputs, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("cdc-decode-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& bytes) const {
    const std::string file = (path_ / name).string();
    testing::WriteFile(file, bytes);
    return file;
  }

 private:
  std::filesystem::path path_;
};

// The whole chain over every line of the shared examples: what `decode` prints is exactly the
// reviewed documents of tests/fixtures/documents/example-NN.json, in order, as `_bulk` lines.
TEST(DecodeCommandTest, StdinExamplesGiveTheReviewedDocumentsAsBulkLines) {
  const std::string input =
      testing::ReadFile(testing::SharedPath("ticdc-canal-json/examples.ndjson"));
  const RunResult result = RunDecode(DecodeCommandOptions{}, input);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.err, "");

  std::vector<std::string> expected_actions;
  std::vector<std::string> expected_sources;
  for (int line = 1; line <= 26; ++line) {
    char name[48];
    std::snprintf(name, sizeof(name), "documents/example-%02d.json", line);
    simdjson::dom::parser parser;
    // The input must outlive the parse: a temporary padded_string here was a stack-use-after-scope.
    const simdjson::padded_string json(testing::ReadFile(testing::FixturePath(name)));
    const simdjson::dom::element docs = parser.parse(json).value();
    const simdjson::dom::array items = docs.get_array().value();
    for (const simdjson::dom::element doc : items) {
      expected_actions.push_back(R"({"create":{"_index":"cdc-events","_id":")" +
                                 std::string(doc["_id"].get_string().value()) + R"("}})");
      expected_sources.push_back(simdjson::minify(doc["_source"].value()));
    }
  }
  const std::vector<std::string> lines = Lines(result.out);
  ASSERT_EQ(lines.size(), 2 * expected_actions.size());
  ASSERT_EQ(result.out.back(), '\n');
  for (std::size_t i = 0; i < expected_actions.size(); ++i) {
    SCOPED_TRACE("document " + std::to_string(i));
    EXPECT_EQ(lines[2 * i], expected_actions[i]);
    EXPECT_EQ(testing::JsonDiff(expected_sources[i], lines[2 * i + 1]), "");
  }
}

TEST(DecodeCommandTest, RejectedLineIsNamedOnStderrAndTheOthersStillRun) {
  const std::string input = std::string(kUsersInsert) + "\n{\"broken\n\n" + kUsersInsert + "\n";
  const RunResult result = RunDecode(DecodeCommandOptions{}, input);
  EXPECT_EQ(result.exit_code, 1);
  const std::vector<std::string> err = Lines(result.err);
  ASSERT_EQ(err.size(), 1U) << result.err;
  EXPECT_EQ(err[0].rfind("stdin:2: invalid_json: ", 0), 0U) << err[0];
  EXPECT_EQ(Lines(result.out).size(), 4U);  // two good messages, two lines each
}

TEST(DecodeCommandTest, RejectionMessagesCarryNoRowValues) {
  std::string bad = kUsersInsert;
  bad.replace(bad.find(R"("id":"1")"), 8, R"("id":1)");  // a number value: wrong_type
  const RunResult result = RunDecode(DecodeCommandOptions{}, bad + "\n");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err.rfind("stdin:1: wrong_type: ", 0), 0U) << result.err;
  EXPECT_EQ(result.err.find("hunter2"), std::string::npos);
  EXPECT_EQ(result.err.find("alice"), std::string::npos);
}

TEST(DecodeCommandTest, BlankLinesAreSkippedButCounted) {
  const RunResult result =
      RunDecode(DecodeCommandOptions{}, "\n  \r\n" + std::string("nope") + "\n");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err.rfind("stdin:3: invalid_json", 0), 0U) << result.err;
  EXPECT_EQ(RunDecode(DecodeCommandOptions{}, "\n\n").exit_code, 0);
  EXPECT_EQ(RunDecode(DecodeCommandOptions{}, "").exit_code, 0);
}

TEST(DecodeCommandTest, StdinLinesMayEndWithCrlf) {
  const RunResult result = RunDecode(DecodeCommandOptions{}, std::string(kUsersInsert) + "\r\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(Lines(result.out).size(), 2U);
}

TEST(DecodeCommandTest, FilesHoldExactRecordValues) {
  const TempDir dir;
  DecodeCommandOptions options;
  // TiCDC v6.5.0-v6.5.11 values end with "\r\n"; a file is the value byte for byte.
  options.files = {dir.Write("crlf.json", std::string(kUsersInsert) + "\r\n"),
                   dir.Write("watermark.json",
                             R"({"id":0,"database":"","table":"","pkNames":null,"isDdl":false,)"
                             R"("type":"TIDB_WATERMARK","es":0,"ts":1,"sql":"","data":null,)"
                             R"("old":null,"_tidb":{"watermarkTs":1024}})")};
  const RunResult result = RunDecode(options, "this stdin is ignored in FILE mode");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  const std::vector<std::string> lines = Lines(result.out);
  ASSERT_EQ(lines.size(), 2U);  // the watermark writes nothing
  EXPECT_EQ(
      lines[0].rfind(R"({"create":{"_index":"cdc-events","_id":"449448587919360008-insert-)", 0),
      0U)
      << lines[0];
}

TEST(DecodeCommandTest, AFileWithSeveralMessagesIsOneRejectedValue) {
  const TempDir dir;
  DecodeCommandOptions options;
  const std::string two = dir.Write("two.ndjson", std::string(kUsersInsert) + "\n" + kUsersInsert);
  const std::string good = dir.Write("good.json", kUsersInsert);
  const std::string missing = (std::filesystem::path(two).parent_path() / "absent.json").string();
  options.files = {two, missing, good};
  const RunResult result = RunDecode(options);
  EXPECT_EQ(result.exit_code, 1);
  const std::vector<std::string> err = Lines(result.err);
  ASSERT_EQ(err.size(), 2U) << result.err;
  EXPECT_EQ(err[0].rfind(two + ": invalid_json: ", 0), 0U) << err[0];
  EXPECT_EQ(err[1], missing + ": cannot read: No such file or directory");
  EXPECT_EQ(Lines(result.out).size(), 2U);  // only good.json
}

TEST(DecodeCommandTest, IndexOption) {
  DecodeCommandOptions options;
  options.index = "tidb-cdc-\"x\"";
  const RunResult result = RunDecode(options, kUsersInsert);
  ASSERT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.rfind(R"({"create":{"_index":"tidb-cdc-\"x\"","_id":")", 0), 0U);
}

TEST(DecodeCommandTest, RedactColumnsDefaultCustomAndEmpty) {
  const RunResult defaults = RunDecode(DecodeCommandOptions{}, kUsersInsert);
  EXPECT_NE(defaults.out.find(R"("password":"[REDACTED]")"), std::string::npos);
  EXPECT_EQ(defaults.out.find("hunter2"), std::string::npos);

  DecodeCommandOptions custom;
  custom.redact_columns = ParseRedactColumns("EMAIL, user*");
  custom.redact_columns_set = true;
  const RunResult custom_result = RunDecode(custom, kUsersInsert);
  EXPECT_NE(custom_result.out.find(R"("email":"[REDACTED]")"), std::string::npos);
  EXPECT_NE(custom_result.out.find(R"("username":"[REDACTED]")"), std::string::npos);
  EXPECT_NE(custom_result.out.find(R"("password":"hunter2")"), std::string::npos);

  DecodeCommandOptions off;
  off.redact_columns = ParseRedactColumns("");
  off.redact_columns_set = true;
  const RunResult off_result = RunDecode(off, kUsersInsert);
  EXPECT_NE(off_result.out.find(R"("password":"hunter2")"), std::string::npos);
  EXPECT_EQ(off_result.out.find("[REDACTED]"), std::string::npos);
}

TEST(DecodeCommandTest, ParseRedactColumnsSplitsAndTrims) {
  EXPECT_EQ(ParseRedactColumns("a, b ,,\tc\t"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(ParseRedactColumns("*secret*"), (std::vector<std::string>{"*secret*"}));
  EXPECT_TRUE(ParseRedactColumns("").empty());
  EXPECT_TRUE(ParseRedactColumns(" , ").empty());
}

}  // namespace
}  // namespace cdc
