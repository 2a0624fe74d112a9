#include "decode/envelope_parser.h"

#include <string>
#include <utility>

#include "decode/column_types.h"
#include "decode/decode_error.h"

namespace cdc {
namespace {

using simdjson::error_code;
using simdjson::ondemand::json_type;
using simdjson::ondemand::value;

// simdjson reports allocation failures and syntax errors through the same codes; the first are
// "too large", everything else is malformed input.
Status JsonError(error_code error, std::string_view where) {
  if (error == simdjson::CAPACITY || error == simdjson::MEMALLOC) {
    return MakeDecodeError(DecodeError::kTooLarge, "the message does not fit the parser");
  }
  std::string detail(where);
  detail += ": ";
  detail += simdjson::error_message(error);
  return MakeDecodeError(DecodeError::kInvalidJson, detail);
}

Status WrongType(std::string_view where, std::string_view expected) {
  std::string detail(where);
  detail += " must be ";
  detail += expected;
  return MakeDecodeError(DecodeError::kWrongType, detail);
}

// Evaluates a simdjson result into `target`, returning an invalid_json status on error.
#define CDC_JSON_GET(expr, target, where)                   \
  do {                                                      \
    if (const error_code e_ = std::move(expr).get(target)) { \
      return JsonError(e_, where);                          \
    }                                                       \
  } while (false)

// Same for helpers that already return an error_code.
#define CDC_JSON_CHECK(expr, where)        \
  do {                                     \
    if (const error_code e_ = (expr)) {    \
      return JsonError(e_, where);         \
    }                                      \
  } while (false)

// Keys and string values are read as views into the input when they hold no escape sequence,
// which is nearly always: no copy into simdjson's string buffer. Escaped ones go through
// simdjson's unescaping, which also validates them.
error_code FieldKey(simdjson::ondemand::field& field, std::string_view* out) {
  const char* const begin = field.key().raw();
  const char* p = begin;
  // Stage 1 rejected unclosed strings, so this stops at the closing quote or an escape.
  while (*p != '"' && *p != '\\') ++p;
  if (*p == '"') {
    *out = std::string_view(begin, static_cast<std::size_t>(p - begin));
    return simdjson::SUCCESS;
  }
  return field.unescaped_key().get(*out);
}

error_code StringValue(value& v, std::string_view* out) {
  std::string_view token = v.raw_json_token();  // `"..."` plus any whitespace before the next token
  while (!token.empty() && token.back() != '"') token.remove_suffix(1);
  if (token.size() >= 2 && token.front() == '"') {
    const std::string_view content = token.substr(1, token.size() - 2);
    if (content.find('\\') == std::string_view::npos) {
      simdjson::ondemand::raw_json_string consumed;
      if (const error_code e = v.get_raw_json_string().get(consumed)) return e;
      *out = content;
      return simdjson::SUCCESS;
    }
  }
  return v.get_string().get(*out);
}

Status TypeOf(value& v, json_type* type, std::string_view where) {
  CDC_JSON_GET(v.type(), *type, where);
  return Status::Ok();
}

// Consumes a `null` atom; type() only looked at its first byte.
Status ConsumeNull(value& v, std::string_view where) {
  bool is_null = false;
  CDC_JSON_GET(v.is_null(), is_null, where);
  if (!is_null) return JsonError(simdjson::N_ATOM_ERROR, where);
  return Status::Ok();
}

Status ReadString(value& v, std::string_view where, std::string_view* out) {
  json_type type{};
  if (Status s = TypeOf(v, &type, where); !s.ok()) return s;
  if (type != json_type::string) return WrongType(where, "a string");
  CDC_JSON_CHECK(StringValue(v, out), where);
  return Status::Ok();
}

Status ReadBool(value& v, std::string_view where, bool* out) {
  json_type type{};
  if (Status s = TypeOf(v, &type, where); !s.ok()) return s;
  if (type != json_type::boolean) return WrongType(where, "true or false");
  CDC_JSON_GET(v.get_bool(), *out, where);
  return Status::Ok();
}

Status ReadInt64(value& v, std::string_view where, std::int64_t* out) {
  json_type type{};
  if (Status s = TypeOf(v, &type, where); !s.ok()) return s;
  if (type != json_type::number) return WrongType(where, "an integer");
  const error_code e = v.get_int64().get(*out);
  if (e == simdjson::NUMBER_ERROR) return JsonError(e, where);
  if (e) return WrongType(where, "an integer in the int64 range");
  return Status::Ok();
}

// commitTs and watermarkTs: a JSON integer in [0, 2^64). Strings, negatives, fractions and
// values past 2^64-1 get `error`, never a rounded or wrapped number.
Status ReadTso(value& v, std::string_view where, DecodeError error, std::uint64_t* out) {
  json_type type{};
  if (Status s = TypeOf(v, &type, where); !s.ok()) return s;
  if (type != json_type::number) {
    return MakeDecodeError(error, std::string(where) + " must be an unsigned 64-bit integer");
  }
  const error_code e = v.get_uint64().get(*out);
  if (e == simdjson::NUMBER_ERROR) return JsonError(e, where);
  if (e) return MakeDecodeError(error, std::string(where) + " is not an integer in [0, 2^64)");
  return Status::Ok();
}

bool IsJsonNumber(std::string_view token) {
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' ||
                            token.back() == '\r')) {
    token.remove_suffix(1);
  }
  std::size_t i = 0;
  const std::size_t n = token.size();
  auto digits = [&] {
    const std::size_t start = i;
    while (i < n && token[i] >= '0' && token[i] <= '9') ++i;
    return i - start;
  };
  if (i < n && token[i] == '-') ++i;
  if (i < n && token[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < n && token[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < n && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    if (i < n && (token[i] == '+' || token[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == n;
}

// Validates a value nobody reads (an unknown key's), so that strictness does not depend on
// which keys we happen to understand.
Status Walk(value v, int depth) {
  constexpr std::string_view kWhere = "unknown key";
  if (depth > kMaxUnknownDepth) {
    return MakeDecodeError(DecodeError::kInvalidJson, "nesting deeper than 64 levels");
  }
  json_type type{};
  if (Status s = TypeOf(v, &type, kWhere); !s.ok()) return s;
  switch (type) {
    case json_type::object: {
      simdjson::ondemand::object object;
      CDC_JSON_GET(v.get_object(), object, kWhere);
      for (auto field_result : object) {
        simdjson::ondemand::field field;
        std::string_view key;
        CDC_JSON_GET(field_result, field, kWhere);
        CDC_JSON_CHECK(FieldKey(field, &key), kWhere);
        if (Status s = Walk(field.value(), depth + 1); !s.ok()) return s;
      }
      return Status::Ok();
    }
    case json_type::array: {
      simdjson::ondemand::array array;
      CDC_JSON_GET(v.get_array(), array, kWhere);
      for (auto element_result : array) {
        value element;
        CDC_JSON_GET(element_result, element, kWhere);
        if (Status s = Walk(element, depth + 1); !s.ok()) return s;
      }
      return Status::Ok();
    }
    case json_type::string: {
      std::string_view ignored;
      CDC_JSON_CHECK(StringValue(v, &ignored), kWhere);
      return Status::Ok();
    }
    case json_type::number: {
      if (!IsJsonNumber(v.raw_json_token())) return JsonError(simdjson::NUMBER_ERROR, kWhere);
      return Status::Ok();
    }
    case json_type::boolean: {
      bool ignored;
      CDC_JSON_GET(v.get_bool(), ignored, kWhere);
      return Status::Ok();
    }
    case json_type::null:
      return ConsumeNull(v, kWhere);
  }
  return JsonError(simdjson::TAPE_ERROR, kWhere);
}

// `data` / `old`: null, or an array of objects whose values are strings or null.
Status ParseRows(value v, std::string_view where, RawRows* rows) {
  rows->present = true;
  json_type type{};
  if (Status s = TypeOf(v, &type, where); !s.ok()) return s;
  if (type == json_type::null) {
    rows->is_null = true;
    return ConsumeNull(v, where);
  }
  if (type != json_type::array) return WrongType(where, "an array of objects or null");
  simdjson::ondemand::array array;
  CDC_JSON_GET(v.get_array(), array, where);
  for (auto element_result : array) {
    value element;
    CDC_JSON_GET(element_result, element, where);
    if (Status s = TypeOf(element, &type, where); !s.ok()) return s;
    if (type != json_type::object) {
      return WrongType(std::string(where) + "[" + std::to_string(rows->size()) + "]", "an object");
    }
    simdjson::ondemand::object object;
    CDC_JSON_GET(element.get_object(), object, where);
    for (auto field_result : object) {
      simdjson::ondemand::field field;
      RawColumn column;
      CDC_JSON_GET(field_result, field, where);
      CDC_JSON_CHECK(FieldKey(field, &column.name), where);
      value column_value = field.value();
      if (Status s = TypeOf(column_value, &type, where); !s.ok()) return s;
      if (type == json_type::string) {
        CDC_JSON_CHECK(StringValue(column_value, &column.value), where);
      } else if (type == json_type::null) {
        column.is_null = true;
        if (Status s = ConsumeNull(column_value, where); !s.ok()) return s;
      } else {
        return WrongType(std::string(where) + "[" + std::to_string(rows->size()) + "]." +
                             QuoteName(column.name),
                         "a string or null");
      }
      rows->columns.push_back(column);
    }
    rows->row_ends.push_back(rows->columns.size());
  }
  return Status::Ok();
}

Status ParsePkNames(value v, RawMessage* raw) {
  constexpr std::string_view kWhere = "pkNames";
  json_type type{};
  if (Status s = TypeOf(v, &type, kWhere); !s.ok()) return s;
  if (type == json_type::null) return ConsumeNull(v, kWhere);
  if (type != json_type::array) return WrongType(kWhere, "an array of strings or null");
  simdjson::ondemand::array array;
  CDC_JSON_GET(v.get_array(), array, kWhere);
  for (auto element_result : array) {
    value element;
    std::string_view name;
    CDC_JSON_GET(element_result, element, kWhere);
    if (Status s = ReadString(element, "pkNames[]", &name); !s.ok()) return s;
    raw->pk_names.push_back(name);
  }
  return Status::Ok();
}

// sqlType ({column: int}) and mysqlType ({column: "type"}): only used to find binary columns,
// but type-checked in full.
Status ParseColumnTypes(value v, bool sql_type, RawMessage* raw) {
  const std::string_view where = sql_type ? "sqlType" : "mysqlType";
  json_type type{};
  if (Status s = TypeOf(v, &type, where); !s.ok()) return s;
  if (type == json_type::null) return ConsumeNull(v, where);
  if (type != json_type::object) return WrongType(where, "an object or null");
  simdjson::ondemand::object object;
  CDC_JSON_GET(v.get_object(), object, where);
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    std::string_view name;
    CDC_JSON_GET(field_result, field, where);
    CDC_JSON_CHECK(FieldKey(field, &name), where);
    value column_type = field.value();
    // The column name only goes into the detail on the error path: no allocation per column.
    auto what = [&] { return std::string(where) + "." + QuoteName(name); };
    if (Status s = TypeOf(column_type, &type, where); !s.ok()) return s;
    bool binary = false;
    if (sql_type) {
      std::int64_t code = 0;
      if (type != json_type::number) return WrongType(what(), "an integer");
      const error_code e = column_type.get_int64().get(code);
      if (e == simdjson::NUMBER_ERROR) return JsonError(e, where);
      if (e) return WrongType(what(), "an integer in the int64 range");
      binary = code == kSqlTypeBlob;
    } else {
      std::string_view text;
      if (type != json_type::string) return WrongType(what(), "a string");
      CDC_JSON_CHECK(StringValue(column_type, &text), where);
      binary = IsBinaryMysqlType(text);
    }
    if (binary) raw->binary_columns.push_back(name);
  }
  return Status::Ok();
}

// `_tidb`: TiCDC's extension object. Every sub-key is optional; unknown ones (e.g. `rowkey` of
// the new architecture) are validated and ignored.
Status ParseTidb(value v, RawMessage* raw) {
  constexpr std::string_view kWhere = "_tidb";
  json_type type{};
  if (Status s = TypeOf(v, &type, kWhere); !s.ok()) return s;
  if (type == json_type::null) return ConsumeNull(v, kWhere);
  if (type != json_type::object) return WrongType(kWhere, "an object");
  simdjson::ondemand::object object;
  CDC_JSON_GET(v.get_object(), object, kWhere);
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    std::string_view key;
    CDC_JSON_GET(field_result, field, kWhere);
    CDC_JSON_CHECK(FieldKey(field, &key), kWhere);
    value member = field.value();
    Status status;
    std::uint64_t tso = 0;
    if (key == "commitTs") {
      status = ReadTso(member, "_tidb.commitTs", DecodeError::kBadCommitTs, &tso);
      raw->commit_ts = tso;
    } else if (key == "watermarkTs") {
      status = ReadTso(member, "_tidb.watermarkTs", DecodeError::kBadWatermarkTs, &tso);
      raw->watermark_ts = tso;
    } else if (key == "onlyHandleKey") {
      status = ReadBool(member, "_tidb.onlyHandleKey", &raw->only_handle_key);
    } else if (key == "claimCheckLocation") {
      status = ReadString(member, "_tidb.claimCheckLocation", &raw->claim_check_location);
    } else {
      status = Walk(member, 2);
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

Status ParseKnownKey(EnvelopeKey key, value v, RawMessage* raw) {
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
  return Walk(v, 1);
}

}  // namespace

Status ParseEnvelope(simdjson::ondemand::document& doc, RawMessage* raw) {
  raw->Clear();
  json_type type{};
  CDC_JSON_GET(doc.type(), type, "message");
  if (type != json_type::object) {
    return MakeDecodeError(DecodeError::kNotObject, "the message is not a JSON object");
  }
  simdjson::ondemand::object root;
  CDC_JSON_GET(doc.get_object(), root, "message");
  for (auto field_result : root) {
    simdjson::ondemand::field field;
    std::string_view name;
    CDC_JSON_GET(field_result, field, "message");
    CDC_JSON_CHECK(FieldKey(field, &name), "message");
    const EnvelopeKey key = ClassifyKey(name);
    if (key != EnvelopeKey::kUnknown) {
      const std::uint32_t bit = 1U << static_cast<unsigned>(key);
      if ((raw->seen & bit) != 0) {
        return MakeDecodeError(DecodeError::kDuplicateKey, QuoteName(name) + " appears twice");
      }
      raw->seen |= bit;
    }
    if (Status s = ParseKnownKey(key, field.value(), raw); !s.ok()) return s;
  }
  return Status::Ok();
}

#undef CDC_JSON_GET
#undef CDC_JSON_CHECK

}  // namespace cdc
