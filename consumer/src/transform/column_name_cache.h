#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/short_text.h"
#include "transform/redactor.h"

namespace cdc {

// What the document shaper needs to know about a column name: whether the Redactor wants its
// value hidden, and the name as a JSON string literal (quoted and escaped).
struct ColumnFacts {
  bool sensitive = false;
  std::string json_name;
};

// Remembers the facts of each column position of the rows seen last. Rows of one table repeat
// the same names in the same order, so a lookup is usually a length check and a short compare
// instead of matching every redaction pattern and escaping the name again. Not thread-safe: one
// per shaper.
class ColumnNameCache {
 public:
  // The facts of column `name` at `position` of a row of database.table, as decided by
  // `redactor` (always the same one for a given cache). Valid until the next call.
  const ColumnFacts& Lookup(const Redactor& redactor, std::string_view database,
                            std::string_view table, std::size_t position, std::string_view name) {
    // The usual case, inline: the same name at the same position as in the previous row.
    if (!redactor.has_qualified_patterns() && position < entries_.size()) {
      const Entry& entry = entries_[position];
      if (entry.known && SameShortText(entry.name, name)) return entry.facts;
    }
    return LookupSlow(redactor, database, table, position, name);
  }

 private:
  struct Entry {
    bool known = false;
    std::string name;
    ColumnFacts facts;
  };
  // Positions past this are not remembered (a row this wide is rare and is worked out afresh).
  static constexpr std::size_t kMaxPositions = 4096;

  const ColumnFacts& LookupSlow(const Redactor& redactor, std::string_view database,
                                std::string_view table, std::size_t position,
                                std::string_view name);
  static void Decide(const Redactor& redactor, std::string_view database, std::string_view table,
                     std::string_view name, ColumnFacts* facts);

  std::string database_;  // only kept when qualified patterns make the table matter
  std::string table_;
  std::vector<Entry> entries_;
  ColumnFacts uncached_;
};

}  // namespace cdc
