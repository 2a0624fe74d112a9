#include "transform/column_name_cache.h"

#include "core/json_writer.h"

namespace cdc {

void ColumnNameCache::Decide(const Redactor& redactor, std::string_view database,
                             std::string_view table, std::string_view name, ColumnFacts* facts) {
  facts->sensitive = redactor.IsSensitive(database, table, name);
  facts->json_name.clear();
  AppendJsonString(name, &facts->json_name);
}

const ColumnFacts& ColumnNameCache::LookupSlow(const Redactor& redactor, std::string_view database,
                                               std::string_view table, std::size_t position,
                                               std::string_view name) {
  if (redactor.has_qualified_patterns() && (database != database_ || table != table_)) {
    database_.assign(database);
    table_.assign(table);
    entries_.clear();
  }
  if (position >= kMaxPositions) {
    Decide(redactor, database, table, name, &uncached_);
    return uncached_;
  }
  if (position >= entries_.size()) entries_.resize(position + 1);
  Entry& entry = entries_[position];
  if (!entry.known || !SameShortText(entry.name, name)) {
    entry.known = true;
    entry.name.assign(name);
    Decide(redactor, database, table, name, &entry.facts);
  }
  return entry.facts;
}

}  // namespace cdc
