#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace cdc {

struct DecodeCommandOptions {
  std::string index = "cdc-events";
  std::vector<std::string> redact_columns;  // used only when redact_columns_set
  bool redact_columns_set = false;          // false: Redactor::DefaultPatterns()
  std::vector<std::string> files;           // empty: read standard input
};

// `cdc-consumer decode [--index NAME] [--redact-columns LIST] [FILE...]` (issue 2): decodes
// canal-json messages and writes the Elasticsearch `_bulk` body the consumer would send to
// `out` (a `create` action line and the document per row change). Each FILE holds the exact
// bytes of one Kafka record value; without FILEs, `in` holds one message per line (blank lines
// are skipped). A rejected message writes one line "<input>: <slug>: <detail>" to `err` (input is
// the file name or "stdin:<line>") and nothing to `out`, and the others still run. Returns the
// exit status: 0 when every message decoded, 1 when any was rejected or a file was unreadable.
// Never throws. Called by main.cc from the one command thread.
int RunDecodeCommand(const DecodeCommandOptions& options, std::istream& in, std::ostream& out,
                     std::ostream& err);

// Splits a --redact-columns value at commas and trims blanks around each item; empty items are
// dropped, so "" (or ",") is an empty list, which turns redaction off.
std::vector<std::string> ParseRedactColumns(std::string_view list);

}  // namespace cdc
