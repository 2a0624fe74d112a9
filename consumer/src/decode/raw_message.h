#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace cdc {

// One column of a row as it appears in the JSON: views into the parser's string buffer, valid
// until the decoder parses the next message.
struct RawColumn {
  std::string_view name;
  std::string_view value;
  bool is_null = false;
};

// The rows of `data` or `old`, flattened: row i is columns[row_ends[i-1] .. row_ends[i]).
struct RawRows {
  std::vector<RawColumn> columns;
  std::vector<std::size_t> row_ends;
  bool present = false;  // the key was in the message
  bool is_null = false;  // ... with the value null

  std::size_t size() const { return row_ends.size(); }
  std::span<const RawColumn> Row(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : row_ends[i - 1];
    return {columns.data() + begin, row_ends[i] - begin};
  }
  void Clear() {
    columns.clear();
    row_ends.clear();
    present = false;
    is_null = false;
  }
};

// The envelope keys the decoder knows; each has a bit in RawMessage::seen.
enum class EnvelopeKey : std::uint8_t {
  kDatabase,
  kTable,
  kPkNames,
  kIsDdl,
  kType,
  kEs,
  kTs,
  kSql,
  kSqlType,
  kMysqlType,
  kData,
  kOld,
  kTidb,
  kUnknown,
};

// Everything one pass over a canal-json message collects, before the message kind is known
// (key order is not fixed, so nothing can be interpreted until the pass ends). Owned by one
// decoder and reused across messages so that its vectors keep their capacity.
struct RawMessage {
  std::uint32_t seen = 0;
  std::string_view database;
  std::string_view table;
  std::string_view type;
  std::string_view sql;
  bool is_ddl = false;
  std::int64_t es = 0;
  std::int64_t ts = 0;
  std::vector<std::string_view> pk_names;
  std::vector<std::string_view> binary_columns;  // by sqlType 2004 or mysqlType base type
  RawRows data;
  RawRows old;
  std::optional<std::uint64_t> commit_ts;
  std::optional<std::uint64_t> watermark_ts;
  bool only_handle_key = false;
  std::string_view claim_check_location;
  std::vector<std::uint32_t> row_slots;     // NameIndex scratch for one row
  std::vector<std::uint32_t> binary_slots;  // NameIndex scratch for binary_columns

  bool Has(EnvelopeKey key) const { return (seen >> static_cast<unsigned>(key) & 1U) != 0; }
  void Clear() {
    seen = 0;
    // One by one: a chained assignment copies each view from the next as a 16-byte load of two
    // 8-byte stores just made, a store-forwarding stall on every message.
    database = {};
    table = {};
    type = {};
    sql = {};
    claim_check_location = {};
    is_ddl = false;
    es = ts = 0;
    pk_names.clear();
    binary_columns.clear();
    data.Clear();
    old.Clear();
    commit_ts.reset();
    watermark_ts.reset();
    only_handle_key = false;
  }
};

}  // namespace cdc
