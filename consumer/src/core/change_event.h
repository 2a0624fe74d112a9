#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cdc {

// The row operation a change event carries; kDdl for schema changes.
enum class Op : std::uint8_t { kInsert, kUpdate, kDelete, kDdl };

// "insert", "update", "delete", "ddl": the values of the document's `type` field and of the
// `op` metric label.
std::string_view OpName(Op op);

// One column of a row image. `value` holds the text TiCDC sent (JSON-unescaped UTF-8); for a
// binary/blob column it holds the raw bytes recovered from the ISO-8859-1 code points.
struct ColumnValue {
  std::string name;
  std::string value;
  bool is_null = false;
  bool is_binary = false;
};

using Row = std::vector<ColumnValue>;

// One row change (or one DDL statement) decoded from a canal-json message. Plain value type: no
// invariants beyond those the decoder establishes; safe to move between threads.
struct ChangeEvent {
  Op op = Op::kInsert;
  std::string database;
  std::string table;
  std::vector<std::string> pk_names;  // in table column order; empty when the table has no PK
  Row data;  // insert/update: the row after the change; delete: the deleted row; ddl: empty
  Row old;   // update only: the full row before the change (data overlaid with canal `old`)
  std::optional<std::uint64_t> commit_ts;  // `_tidb.commitTs` (TiDB TSO), when present
  std::int64_t es_ms = 0;                  // canal `es`: commit time in ms
  std::int64_t ts_ms = 0;                  // canal `ts`: TiCDC build time in ms
  std::string ddl_type;                    // ddl only: CREATE, ALTER, ERASE, ...
  std::string sql;                         // ddl only: the statement text
  bool only_handle_key = false;            // `_tidb.onlyHandleKey`: row holds only key columns
  std::string claim_check_location;        // `_tidb.claimCheckLocation`, when present
};

// What one Kafka record value decodes to: zero or more events, and for a TIDB_WATERMARK message
// the watermark ts (every event with a smaller commitTs has been sent).
struct DecodedMessage {
  std::vector<ChangeEvent> events;
  std::optional<std::uint64_t> watermark_ts;

  void Clear() {
    events.clear();
    watermark_ts.reset();
  }
};

// The physical part of a TiDB TSO, in milliseconds since the Unix epoch.
constexpr std::int64_t TsoPhysicalMs(std::uint64_t tso) {
  return static_cast<std::int64_t>(tso >> 18);
}

}  // namespace cdc
