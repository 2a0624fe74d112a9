#pragma once

// The table-driven decoder cases of tests/fixtures/decode/{accepted,rejected}.txt, read for the
// decoder's own tests and for the tests that check batching changes nothing. Header-only because
// every tests/unit/<module> directory is its own binary.

#include <string>
#include <vector>

#include "support/test_env.h"
#include "unit/decode/fixture_json.h"

namespace cdc::testing {

struct DecodeCase {
  std::string name;
  std::string message;
  std::string expect;  // accepted: events JSON; rejected: the slug
};

// "## <case>" opens a block; rejected blocks have "## reason: <slug>" next. The message is the
// first other line; for accepted blocks the lines up to the next blank line are the expected
// events.
inline std::vector<DecodeCase> ReadDecodeCases(const std::string& fixture, bool rejected) {
  const std::vector<std::string> lines = ReadLines(FixturePath(fixture));
  std::vector<DecodeCase> cases;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("## ", 0) != 0) continue;
    DecodeCase c{.name = lines[i].substr(3), .message = {}, .expect = {}};
    ++i;
    if (rejected) {
      c.expect = lines[i].substr(std::string("## reason: ").size());
      ++i;
    }
    c.message = lines[i];
    while (!rejected && i + 1 < lines.size() && !lines[i + 1].empty()) c.expect += lines[++i];
    cases.push_back(c);
  }
  return cases;
}

}  // namespace cdc::testing
