#include "decode/envelope_parser.h"

#include <string>

#include "decode/column_types.h"
#include "decode/decode_error.h"

namespace cdc {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

Status WrongType(std::string_view where, std::string_view expected) {
  std::string detail(where);
  detail += " must be ";
  detail += expected;
  return MakeDecodeError(DecodeError::kWrongType, detail);
}

std::string Indexed(std::string_view where, std::size_t i) {
  return std::string(where) + "[" + std::to_string(i) + "]";
}

Status ReadString(element v, std::string_view where, std::string_view* out) {
  if (v.type() != element_type::STRING) return WrongType(where, "a string");
  *out = v.get_string().value_unsafe();
  return Status::Ok();
}

Status ReadBool(element v, std::string_view where, bool* out) {
  if (v.type() != element_type::BOOL) return WrongType(where, "true or false");
  *out = v.get_bool().value_unsafe();
  return Status::Ok();
}

Status ReadInt64(element v, std::string_view where, std::int64_t* out) {
  if (v.type() == element_type::INT64) {
    *out = v.get_int64().value_unsafe();
    return Status::Ok();
  }
  if (v.type() == element_type::UINT64) return WrongType(where, "an integer in the int64 range");
  return WrongType(where, "an integer");
}

// commitTs and watermarkTs: a JSON integer in [0, 2^64). Strings, negatives and fractions get
// `error`, never a rounded or wrapped number. (Integers >= 2^64 already failed the parse; the
// decoder maps that failure back to `error`.)
Status ReadTso(element v, std::string_view where, DecodeError error, std::uint64_t* out) {
  const element_type type = v.type();
  if (type == element_type::UINT64 ||
      (type == element_type::INT64 && v.get_int64().value_unsafe() >= 0)) {
    *out = v.get_uint64().value_unsafe();
    return Status::Ok();
  }
  return MakeDecodeError(error, std::string(where) + " must be an integer in [0, 2^64)");
}

// `data` / `old`: null, or an array of objects whose values are strings or null.
Status ParseRows(element v, std::string_view where, RawRows* rows) {
  rows->present = true;
  if (v.type() == element_type::NULL_VALUE) {
    rows->is_null = true;
    return Status::Ok();
  }
  if (v.type() != element_type::ARRAY) return WrongType(where, "an array of objects or null");
  const simdjson::dom::array array = v.get_array().value_unsafe();
  for (const element row : array) {
    if (row.type() != element_type::OBJECT)
      return WrongType(Indexed(where, rows->size()), "an object");
    const simdjson::dom::object object = row.get_object().value_unsafe();
    // Iterator key()/value() and fields set one by one, not `for (auto field : object)` and a
    // copied RawColumn: those build 16-byte pairs on the stack from 8-byte halves and reload
    // them whole, a store-forwarding stall per column (perf annotate).
    for (auto it = object.begin(), end = object.end(); it != end; ++it) {
      const element value = it.value();
      const element_type type = value.type();
      if (type != element_type::STRING && type != element_type::NULL_VALUE) {
        return WrongType(Indexed(where, rows->size()) + "." + QuoteName(it.key()),
                         "a string or null");
      }
      RawColumn& column = rows->columns.emplace_back();
      column.name = it.key();
      column.is_null = type == element_type::NULL_VALUE;
      if (!column.is_null) column.value = value.get_string().value_unsafe();
    }
    rows->row_ends.push_back(rows->columns.size());
  }
  return Status::Ok();
}

Status ParsePkNames(element v, RawMessage* raw) {
  if (v.type() == element_type::NULL_VALUE) return Status::Ok();
  if (v.type() != element_type::ARRAY) return WrongType("pkNames", "an array of strings or null");
  const simdjson::dom::array array = v.get_array().value_unsafe();
  for (const element name : array) {
    if (name.type() != element_type::STRING) return WrongType("pkNames[]", "a string");
    // Set in place, not push_back of a view built on the stack: that view's two halves are
    // stored separately and reloaded as one 16-byte word, which stalls (see ParseRows).
    raw->pk_names.emplace_back() = name.get_string().value_unsafe();
  }
  return Status::Ok();
}

// sqlType ({column: int}) and mysqlType ({column: "type"}): only used to find binary columns,
// but type-checked in full.
Status ParseColumnTypes(element v, bool sql_type, RawMessage* raw) {
  const std::string_view where = sql_type ? "sqlType" : "mysqlType";
  if (v.type() == element_type::NULL_VALUE) return Status::Ok();
  if (v.type() != element_type::OBJECT) return WrongType(where, "an object or null");
  const simdjson::dom::object object = v.get_object().value_unsafe();
  for (auto it = object.begin(), end = object.end(); it != end; ++it) {  // see ParseRows
    const element value = it.value();
    const element_type type = value.type();
    bool binary = false;
    if (sql_type) {
      if (type != element_type::INT64 && type != element_type::UINT64) {
        return WrongType(std::string(where) + "." + QuoteName(it.key()), "an integer");
      }
      binary = type == element_type::INT64 && value.get_int64().value_unsafe() == kSqlTypeBlob;
    } else {
      if (type != element_type::STRING) {
        return WrongType(std::string(where) + "." + QuoteName(it.key()), "a string");
      }
      binary = IsBinaryMysqlType(value.get_string().value_unsafe());
    }
    if (binary) raw->binary_columns.emplace_back() = it.key();  // as in ParsePkNames
  }
  return Status::Ok();
}

// `_tidb`: TiCDC's extension object. Every sub-key is optional; unknown ones (e.g. `rowkey` of
// the new architecture) are ignored.
Status ParseTidb(element v, RawMessage* raw) {
  if (v.type() == element_type::NULL_VALUE) return Status::Ok();
  if (v.type() != element_type::OBJECT) return WrongType("_tidb", "an object");
  const simdjson::dom::object object = v.get_object().value_unsafe();
  for (auto it = object.begin(), end = object.end(); it != end; ++it) {  // see ParseRows
    const std::string_view key = it.key();
    const element value = it.value();
    Status status;
    std::uint64_t tso = 0;
    if (key == "commitTs") {
      status = ReadTso(value, "_tidb.commitTs", DecodeError::kBadCommitTs, &tso);
      raw->commit_ts = tso;
    } else if (key == "watermarkTs") {
      status = ReadTso(value, "_tidb.watermarkTs", DecodeError::kBadWatermarkTs, &tso);
      raw->watermark_ts = tso;
    } else if (key == "onlyHandleKey") {
      status = ReadBool(value, "_tidb.onlyHandleKey", &raw->only_handle_key);
    } else if (key == "claimCheckLocation") {
      status = ReadString(value, "_tidb.claimCheckLocation", &raw->claim_check_location);
    }
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

// Dispatches on the length first: this runs for every key of every message.
EnvelopeKey ClassifyKey(std::string_view key) {
  using K = EnvelopeKey;
  switch (key.size()) {
    case 2:
      if (key == "es") return K::kEs;
      if (key == "ts") return K::kTs;
      break;
    case 3:
      if (key == "sql") return K::kSql;
      if (key == "old") return K::kOld;
      break;
    case 4:
      if (key == "type") return K::kType;
      if (key == "data") return K::kData;
      break;
    case 5:
      if (key == "table") return K::kTable;
      if (key == "isDdl") return K::kIsDdl;
      if (key == "_tidb") return K::kTidb;
      break;
    case 7:
      if (key == "pkNames") return K::kPkNames;
      if (key == "sqlType") return K::kSqlType;
      break;
    case 8:
      if (key == "database") return K::kDatabase;
      break;
    case 9:
      if (key == "mysqlType") return K::kMysqlType;
      break;
    default:
      break;
  }
  return K::kUnknown;
}

Status ParseKnownKey(EnvelopeKey key, element v, RawMessage* raw) {
  switch (key) {
    case EnvelopeKey::kDatabase:
      return ReadString(v, "database", &raw->database);
    case EnvelopeKey::kTable:
      return ReadString(v, "table", &raw->table);
    case EnvelopeKey::kPkNames:
      return ParsePkNames(v, raw);
    case EnvelopeKey::kIsDdl:
      return ReadBool(v, "isDdl", &raw->is_ddl);
    case EnvelopeKey::kType:
      return ReadString(v, "type", &raw->type);
    case EnvelopeKey::kEs:
      return ReadInt64(v, "es", &raw->es);
    case EnvelopeKey::kTs:
      return ReadInt64(v, "ts", &raw->ts);
    case EnvelopeKey::kSql:
      return ReadString(v, "sql", &raw->sql);
    case EnvelopeKey::kSqlType:
      return ParseColumnTypes(v, /*sql_type=*/true, raw);
    case EnvelopeKey::kMysqlType:
      return ParseColumnTypes(v, /*sql_type=*/false, raw);
    case EnvelopeKey::kData:
      return ParseRows(v, "data", &raw->data);
    case EnvelopeKey::kOld:
      return ParseRows(v, "old", &raw->old);
    case EnvelopeKey::kTidb:
      return ParseTidb(v, raw);
    case EnvelopeKey::kUnknown:
      break;
  }
  return Status::Ok();
}

}  // namespace

Status ParseEnvelope(element root, RawMessage* raw) {
  raw->Clear();
  if (root.type() != element_type::OBJECT) {
    return MakeDecodeError(DecodeError::kNotObject, "the message is not a JSON object");
  }
  const simdjson::dom::object object = root.get_object().value_unsafe();
  for (auto it = object.begin(), end = object.end(); it != end; ++it) {  // see ParseRows
    const EnvelopeKey key = ClassifyKey(it.key());
    if (key == EnvelopeKey::kUnknown) continue;
    const std::uint32_t bit = 1U << static_cast<unsigned>(key);
    if ((raw->seen & bit) != 0) {
      return MakeDecodeError(DecodeError::kDuplicateKey, QuoteName(it.key()) + " appears twice");
    }
    raw->seen |= bit;
    if (Status s = ParseKnownKey(key, it.value(), raw); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace cdc
