#pragma once

#include <cstdint>
#include <optional>
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
  std::string_view name;
  std::string_view value;
  bool is_null = false;
  bool is_binary = false;
};

using Row = std::vector<ColumnValue>;

// The column of `row` named `name` (the first, should a hand-built row repeat it), or null. Rows
// are short, so a scan; names compare inline (SameShortText).
const ColumnValue* FindColumn(const Row& row, std::string_view name);

// One row change (or one DDL statement) decoded from a canal-json message. Its text fields are
// views, not copies: into the decoder's parse of the message and the DecodedMessage's byte store
// (see DecodedMessage). Copying every name and value cost more than shaping the document.
struct ChangeEvent {
  Op op = Op::kInsert;
  std::string_view database;
  std::string_view table;
  std::vector<std::string_view> pk_names;  // in table column order; empty without a PK
  Row data;  // insert/update: the row after the change; delete: the deleted row; ddl: empty
  Row old;   // update only: the full row before the change (data overlaid with canal `old`)
  std::optional<std::uint64_t> commit_ts;  // `_tidb.commitTs` (TiDB TSO), when present
  std::int64_t es_ms = 0;                  // canal `es`: commit time in ms
  std::int64_t ts_ms = 0;                  // canal `ts`: TiCDC build time in ms
  std::string_view ddl_type;               // ddl only: CREATE, ALTER, ERASE, ...
  std::string_view sql;                    // ddl only: the statement text
  bool only_handle_key = false;            // `_tidb.onlyHandleKey`: row holds only key columns
  std::string_view claim_check_location;   // `_tidb.claimCheckLocation`, when present
};

// What one Kafka record value decodes to: zero or more events, and for a TIDB_WATERMARK message
// the watermark ts (every event with a smaller commitTs has been sent). The events' views stay
// valid until the decoder that filled this message decodes the next one (or is destroyed);
// moving the message keeps them valid.
struct DecodedMessage {
  std::vector<ChangeEvent> events;
  std::optional<std::uint64_t> watermark_ts;
  // The bytes of binary column values, which differ from their JSON text and so cannot be
  // views into the parse. A vector rather than a string: a short string's bytes would move.
  std::vector<char> binary_bytes;

  void Clear() {
    events.clear();
    watermark_ts.reset();
    binary_bytes.clear();
  }
};

// The physical part of a TiDB TSO, in milliseconds since the Unix epoch.
constexpr std::int64_t TsoPhysicalMs(std::uint64_t tso) {
  return static_cast<std::int64_t>(tso >> 18);
}

}  // namespace cdc
