#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cdc {

// Decides which columns hold secrets, by name. Patterns are column names or globs (`*` any run
// of characters, `?` one character), compared without ASCII case; the whole name must match. A
// pattern with a `.` is qualified: it matches "<database>.<table>.<column>" instead, e.g.
// `appdb.users.ssn` or `*.users.ssn`. Immutable after construction, so any thread may call it.
class Redactor {
 public:
  // The default list: every column whose name contains password, passwd, pwd, secret, token,
  // api_key, apikey, private_key or credit_card (`*password*`, ...). Substring globs rather than
  // exact names because real schemas say `user_password`, `access_token`, `client_secret`; a
  // few harmless columns (`tokens_used`) get redacted too, which is the safe way to be wrong.
  static std::vector<std::string> DefaultPatterns();

  // An empty list turns redaction off. Empty patterns are ignored.
  explicit Redactor(std::vector<std::string> patterns);

  bool enabled() const { return !patterns_.empty() || !qualified_.empty(); }
  // Whether some pattern names a database and table, so that a verdict depends on them.
  bool has_qualified_patterns() const { return !qualified_.empty(); }
  // Column patterns only (qualified patterns need the table, see below).
  bool IsSensitive(std::string_view column) const;
  // Column and qualified patterns: what the document shaper uses.
  bool IsSensitive(std::string_view database, std::string_view table,
                   std::string_view column) const;

 private:
  enum class Kind : std::uint8_t { kExact, kPrefix, kSuffix, kContains, kGlob };
  struct Pattern {
    Kind kind;
    std::string text;              // lower-cased; the literal part for non-glob kinds
    std::uint64_t required_bytes;  // bit (byte & 63) of every literal byte: a cheap pre-filter
  };

  static Pattern Compile(std::string_view pattern);
  static bool GlobMatch(std::string_view glob, std::string_view name);
  static bool AnyMatches(const std::vector<Pattern>& patterns, std::string_view name);

  std::vector<Pattern> patterns_;   // matched against the column name
  std::vector<Pattern> qualified_;  // matched against database.table.column
};

}  // namespace cdc
