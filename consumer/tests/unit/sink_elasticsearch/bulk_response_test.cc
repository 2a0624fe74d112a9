// The bulk response classifier, driven by tests/fixtures/elasticsearch/bulk_response_cases.txt.
#include "sink/elasticsearch/bulk_response.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/test_env.h"

namespace cdc::es {
namespace {

struct Case {
  int line = 0;
  std::string file;
  int http = 0;
  std::vector<BulkOp> ops;
  std::vector<std::string> expected;
};

BulkOp ParseOp(const std::string& name) {
  if (name == "index") return BulkOp::kIndex;
  if (name == "update") return BulkOp::kUpdate;
  if (name == "delete") return BulkOp::kDelete;
  return BulkOp::kCreate;
}

std::vector<BulkOp> ParseOps(const std::string& spec) {
  std::vector<BulkOp> ops;
  if (const auto star = spec.find('*'); star != std::string::npos) {
    ops.assign(static_cast<std::size_t>(std::stoi(spec.substr(star + 1))),
               ParseOp(spec.substr(0, star)));
    return ops;
  }
  std::stringstream ss(spec);
  std::string op;
  while (std::getline(ss, op, ',')) ops.push_back(ParseOp(op));
  return ops;
}

std::vector<Case> LoadCases() {
  std::ifstream in(testing::FixturePath("elasticsearch/bulk_response_cases.txt"));
  std::vector<Case> cases;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream ss(line);
    Case c;
    std::string ops;
    ss >> c.file >> c.http >> ops;
    c.line = n;
    c.ops = ParseOps(ops);
    for (std::string word; ss >> word;) c.expected.push_back(word);
    cases.push_back(std::move(c));
  }
  return cases;
}

std::vector<std::string> Describe(const BulkVerdict& v) {
  if (v.outcome != RequestOutcome::kItems) {
    std::string d = "request:" + std::string(RequestOutcomeName(v.outcome));
    if (v.outcome == RequestOutcome::kTooLarge || v.outcome == RequestOutcome::kBadRequest) {
      d += ":" + v.reason;
    }
    return {d};
  }
  std::vector<std::string> out;
  for (const ItemVerdict& item : v.items) {
    std::string d(ItemOutcomeName(item.outcome));
    if (item.outcome == ItemOutcome::kReject) d += ":" + item.reason;
    out.push_back(d);
  }
  return out;
}

TEST(BulkResponseTest, ClassifiesEveryFixtureAsTheTableSays) {
  const auto cases = LoadCases();
  ASSERT_GE(cases.size(), 30u);
  for (const Case& c : cases) {
    const std::string body =
        testing::ReadFile(testing::FixturePath("elasticsearch/bulk_responses/" + c.file));
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < c.ops.size(); ++i) ids.push_back("id-" + std::to_string(i));
    std::vector<BulkItemRef> request;
    for (std::size_t i = 0; i < c.ops.size(); ++i) request.push_back({c.ops[i], ids[i]});
    const BulkVerdict verdict = ClassifyBulkResponse(c.http, body, request);
    EXPECT_EQ(Describe(verdict), c.expected) << "line " << c.line << ": " << c.file;
    // Reasons are built from status and type only: server reason text never leaks into them.
    for (const ItemVerdict& item : verdict.items) {
      EXPECT_EQ(item.reason.find("SENTINEL"), std::string::npos) << c.file;
    }
  }
}

TEST(BulkResponseTest, ErrorReasonIsBoundedAndClean) {
  EXPECT_EQ(ErrorReason(400, "document_parsing_exception"), "es_400:document_parsing_exception");
  EXPECT_EQ(ErrorReason(400, ""), "es_400:unknown");
  EXPECT_EQ(ErrorReason(400, "Bad Type\n\"x\""), "es_400:bad_type__x_");
  EXPECT_EQ(ErrorReason(400, std::string(500, 'a')).size(), 7u + 64u);
}

TEST(BulkResponseTest, EmptyRequestNeedsEmptyItems) {
  EXPECT_EQ(ClassifyBulkResponse(200, R"({"items":[]})", {}).outcome, RequestOutcome::kItems);
  EXPECT_EQ(ClassifyBulkResponse(200, R"({"items":[{"create":{"status":201}}]})", {}).outcome,
            RequestOutcome::kMalformed);
}

}  // namespace
}  // namespace cdc::es
