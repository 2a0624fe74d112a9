#include "decode/event_builder.h"

#include <array>
#include <string>

#include "core/short_text.h"
#include "decode/column_types.h"
#include "decode/decode_error.h"
#include "decode/name_index.h"

namespace cdc {
namespace {

// 9999-12-31T23:59:59.999Z: the last instant RFC 3339 (four-digit years) can write.
constexpr std::int64_t kMaxEsMs = 253402300799999;
// MySQL and TiDB allow 16 key parts; anything far beyond is not a TiCDC message and would make
// per-event pk lookups quadratic.
constexpr std::size_t kMaxPkNames = 64;
// Binary value storage kept from one message to the next; more is released.
constexpr std::size_t kRetainedBinaryBytes = std::size_t{4} << 20;

constexpr std::array<std::string_view, 8> kDdlTypes = {"CREATE", "ALTER",  "ERASE",  "TRUNCATE",
                                                       "RENAME", "CINDEX", "DINDEX", "QUERY"};

std::string RowRef(std::string_view where, std::size_t row) {
  return std::string(where) + "[" + std::to_string(row) + "]";
}

Status Missing(std::string_view what) {
  return MakeDecodeError(DecodeError::kMissingField, std::string(what) + " is missing");
}

// The names of the binary columns (from sqlType and mysqlType), looked up once per column.
class BinaryNames {
 public:
  explicit BinaryNames(RawMessage* raw)
      : index_(&raw->binary_slots), empty_(raw->binary_columns.empty()) {
    if (!empty_) index_.Build(raw->binary_columns, nullptr);
  }
  bool Contains(std::string_view name) const {
    return !empty_ && index_.Find(name) != NameIndex<std::string_view>::kNotFound;
  }

 private:
  NameIndex<std::string_view> index_;
  bool empty_;
};

// Where binary column bytes go: DecodedMessage::binary_bytes, sized once per message for the
// worst case (every string value of the message decoded), so that views into it stay valid.
class BinaryStore {
 public:
  BinaryStore(const RawMessage& raw, bool has_binary_columns, DecodedMessage* out) {
    std::size_t bound = 0;
    if (has_binary_columns) {
      for (const RawColumn& column : raw.data.columns) bound += column.value.size();
      for (const RawColumn& column : raw.old.columns) bound += column.value.size();
    }
    // A message with huge binary values must not pin their memory for the decoder's life.
    if (out->binary_bytes.capacity() > kRetainedBinaryBytes)
      std::vector<char>().swap(out->binary_bytes);
    out->binary_bytes.resize(bound);
    next_ = out->binary_bytes.data();
  }
  char* next() const { return next_; }
  void Commit(std::size_t n) { next_ += n; }

 private:
  char* next_;
};

// Points an event column at one value, turning a binary column's ISO-8859-1 code points back
// into bytes.
Status AssignValue(const BinaryNames& binary, BinaryStore* store, const RawColumn& src,
                   std::string_view where, std::size_t row, ColumnValue* dst) {
  dst->is_null = src.is_null;
  dst->is_binary = binary.Contains(src.name);
  dst->value = {};
  if (src.is_null) return Status::Ok();
  if (!dst->is_binary) {
    dst->value = src.value;
    return Status::Ok();
  }
  if (const std::optional<std::size_t> n = Latin1ToBytes(src.value, store->next())) {
    dst->value = std::string_view(store->next(), *n);
    store->Commit(*n);
    return Status::Ok();
  }
  return MakeDecodeError(DecodeError::kBadBinary, "binary column " + QuoteName(src.name) + " in " +
                                                      RowRef(where, row) +
                                                      " holds a code point above U+00FF");
}

Status FillRow(const RawMessage& raw, const BinaryNames& binary, BinaryStore* store,
               std::size_t row, Row* dst) {
  const std::span<const RawColumn> src = raw.data.Row(row);
  dst->resize(src.size());
  for (std::size_t j = 0; j < src.size(); ++j) {
    (*dst)[j].name = src[j].name;
    if (Status s = AssignValue(binary, store, src[j], "data", row, &(*dst)[j]); !s.ok()) return s;
  }
  return Status::Ok();
}

// The before image of an UPDATE: the new row overlaid, key by key, with canal `old` (TiCDC's
// full old row, content-compatible mode's changed columns only, or `{}`). A key of `old` that is
// not in `data` is appended (old has no repeated keys, so appended ones are never looked up).
Status FillBefore(RawMessage* raw, const BinaryNames& binary, BinaryStore* store, const Row& after,
                  std::size_t row, Row* before) {
  const std::span<const RawColumn> old_columns = raw->old.Row(row);
  before->assign(after.begin(), after.end());
  NameIndex<RawColumn> data_index(&raw->row_slots);
  bool indexed = false;
  for (std::size_t k = 0; k < old_columns.size(); ++k) {
    const RawColumn& column = old_columns[k];
    std::size_t index = k;  // TiCDC writes old and data in the same column order
    if (index >= after.size() || !SameShortText(after[index].name, column.name)) {
      if (!indexed) indexed = data_index.Build(raw->data.Row(row), nullptr);
      index = data_index.Find(column.name);
      if (index == NameIndex<RawColumn>::kNotFound) {
        index = before->size();
        before->emplace_back();
        before->back().name = column.name;
      }
    }
    if (Status s = AssignValue(binary, store, column, "old", row, &(*before)[index]); !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

void FillEnvelope(const RawMessage& raw, Op op, ChangeEvent* event) {
  event->op = op;
  event->database = raw.database;
  event->table = raw.table;
  event->pk_names.assign(raw.pk_names.begin(), raw.pk_names.end());
  event->commit_ts = raw.commit_ts;
  event->es_ms = raw.es;
  event->ts_ms = raw.ts;
  event->ddl_type = {};
  event->sql = {};
  event->only_handle_key = raw.only_handle_key;
  event->claim_check_location = raw.claim_check_location;
}

// `es` stands in for the commit time only without commitTs; it must then be writable as an
// RFC 3339 timestamp.
Status CheckEventTime(const RawMessage& raw) {
  if (raw.commit_ts.has_value() || (raw.es >= 0 && raw.es <= kMaxEsMs)) return Status::Ok();
  return MakeDecodeError(DecodeError::kBadTimestamp,
                         "es must be a time in ms between 1970 and 9999 when there is no commitTs");
}

Status CheckPkNames(const RawMessage& raw) {
  if (raw.pk_names.size() > kMaxPkNames) {
    return MakeDecodeError(DecodeError::kTooLarge, "pkNames holds more than 64 names");
  }
  for (std::size_t i = 0; i < raw.pk_names.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (raw.pk_names[i] == raw.pk_names[j]) {
        return MakeDecodeError(DecodeError::kDuplicateKey,
                               "pkNames lists " + QuoteName(raw.pk_names[i]) + " twice");
      }
    }
  }
  return Status::Ok();
}

// Every row of `rows` is non-empty (for data), has unique names, and (for data) holds every pk
// column.
Status CheckRows(RawMessage* raw, const RawRows& rows, std::string_view where, bool is_data) {
  NameIndex<RawColumn> index(&raw->row_slots);
  for (std::size_t row = 0; row < rows.size(); ++row) {
    const std::span<const RawColumn> columns = rows.Row(row);
    if (is_data && columns.empty()) {
      return MakeDecodeError(DecodeError::kEmptyData, RowRef(where, row) + " has no columns");
    }
    std::string_view duplicate;
    if (!index.Build(columns, &duplicate)) {
      return MakeDecodeError(DecodeError::kDuplicateKey,
                             RowRef(where, row) + " has column " + QuoteName(duplicate) + " twice");
    }
    if (!is_data) continue;
    for (const std::string_view pk : raw->pk_names) {
      if (index.Find(pk) == NameIndex<RawColumn>::kNotFound) {
        return MakeDecodeError(DecodeError::kMissingField,
                               "pk column " + QuoteName(pk) + " is not in " + RowRef(where, row));
      }
    }
  }
  return Status::Ok();
}

Status CheckDml(RawMessage* raw, Op op) {
  if (!raw->Has(EnvelopeKey::kDatabase) || raw->database.empty()) return Missing("database");
  if (!raw->Has(EnvelopeKey::kTable) || raw->table.empty()) return Missing("table");
  if (!raw->data.present) return Missing("data");
  if (raw->data.is_null || raw->data.size() == 0) {
    return MakeDecodeError(DecodeError::kEmptyData, "data holds no rows");
  }
  if (Status s = CheckPkNames(*raw); !s.ok()) return s;
  if (Status s = CheckRows(raw, raw->data, "data", /*is_data=*/true); !s.ok()) return s;
  if (op == Op::kUpdate) {
    if (!raw->old.present || raw->old.is_null) return Missing("old (required for UPDATE)");
    if (raw->old.size() != raw->data.size()) {
      return MakeDecodeError(DecodeError::kBadOld, "old holds " + std::to_string(raw->old.size()) +
                                                       " rows but data holds " +
                                                       std::to_string(raw->data.size()));
    }
    if (Status s = CheckRows(raw, raw->old, "old", /*is_data=*/false); !s.ok()) return s;
  }
  return CheckEventTime(*raw);
}

Status BuildDml(RawMessage* raw, Op op, DecodedMessage* out) {
  if (Status s = CheckDml(raw, op); !s.ok()) return s;
  const BinaryNames binary(raw);
  BinaryStore store(*raw, !raw->binary_columns.empty(), out);
  out->events.resize(raw->data.size());
  for (std::size_t row = 0; row < raw->data.size(); ++row) {
    ChangeEvent& event = out->events[row];
    FillEnvelope(*raw, op, &event);
    if (Status s = FillRow(*raw, binary, &store, row, &event.data); !s.ok()) return s;
    if (op == Op::kUpdate) {
      if (Status s = FillBefore(raw, binary, &store, event.data, row, &event.old); !s.ok()) {
        return s;
      }
    } else {
      event.old.clear();
    }
  }
  return Status::Ok();
}

Status BuildDdl(const RawMessage& raw, DecodedMessage* out) {
  if (!raw.Has(EnvelopeKey::kDatabase)) return Missing("database");
  if (!raw.Has(EnvelopeKey::kTable)) return Missing("table");
  if (!raw.Has(EnvelopeKey::kSql)) return Missing("sql");
  bool known = false;
  for (const std::string_view type : kDdlTypes) known = known || type == raw.type;
  if (!known) {
    return MakeDecodeError(DecodeError::kUnknownType,
                           "type " + QuoteName(raw.type) + " is not a canal DDL type");
  }
  if (Status s = CheckEventTime(raw); !s.ok()) return s;
  out->events.resize(1);
  ChangeEvent& event = out->events[0];
  FillEnvelope(raw, Op::kDdl, &event);
  event.pk_names.clear();
  event.data.clear();
  event.old.clear();
  event.ddl_type = raw.type;
  event.sql = raw.sql;
  return Status::Ok();
}

Status Build(RawMessage* raw, DecodedMessage* out) {
  if (!raw->Has(EnvelopeKey::kIsDdl)) return Missing("isDdl");
  if (!raw->Has(EnvelopeKey::kType)) return Missing("type");
  if (!raw->Has(EnvelopeKey::kEs)) return Missing("es");
  if (!raw->Has(EnvelopeKey::kTs)) return Missing("ts");
  if (raw->is_ddl) return BuildDdl(*raw, out);
  if (raw->type == "TIDB_WATERMARK") {
    if (!raw->watermark_ts.has_value()) return Missing("_tidb.watermarkTs");
    out->events.clear();
    out->watermark_ts = raw->watermark_ts;
    return Status::Ok();
  }
  if (raw->type == "INSERT") return BuildDml(raw, Op::kInsert, out);
  if (raw->type == "UPDATE") return BuildDml(raw, Op::kUpdate, out);
  if (raw->type == "DELETE") return BuildDml(raw, Op::kDelete, out);
  return MakeDecodeError(DecodeError::kUnknownType,
                         "type " + QuoteName(raw->type) + " is not a canal DML type");
}

}  // namespace

Status BuildEvents(RawMessage* raw, DecodedMessage* out) {
  out->watermark_ts.reset();
  out->binary_bytes.clear();
  Status status = Build(raw, out);
  if (!status.ok()) out->Clear();
  return status;
}

}  // namespace cdc
