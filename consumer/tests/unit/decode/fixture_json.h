#pragma once

// Test-only helpers shared by the decode, transform, sink_elasticsearch and app unit tests: an
// ordered JSON comparison, and the fixture format of decoded events
// (tests/fixtures/decode/example-NN.json), in both directions. Header-only because every
// tests/unit/<module> directory is its own binary.

#include <openssl/evp.h>
#include <simdjson.h>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/change_event.h"
#include "core/json_writer.h"

namespace cdc::testing {

// "" when `actual` equals `expected` as JSON with object keys in the same order (our documents
// promise a fixed key order), else where and how they differ. Integers compare exactly.
inline std::string JsonDiffElements(simdjson::dom::element expected, simdjson::dom::element actual,
                                    const std::string& path) {
  using simdjson::dom::element_type;
  auto is_int = [](element_type t) {
    return t == element_type::INT64 || t == element_type::UINT64;
  };
  if (is_int(expected.type()) && is_int(actual.type())) {
    if (simdjson::minify(expected) == simdjson::minify(actual)) return "";
    return path + ": expected " + simdjson::minify(expected) + ", got " + simdjson::minify(actual);
  }
  if (expected.type() != actual.type()) {
    return path + ": expected " + simdjson::minify(expected) + ", got " + simdjson::minify(actual);
  }
  switch (expected.type()) {
    case element_type::OBJECT: {
      const simdjson::dom::object a = expected.get_object().value_unsafe();
      const simdjson::dom::object b = actual.get_object().value_unsafe();
      auto it_b = b.begin();
      for (auto it_a = a.begin(); it_a != a.end(); ++it_a, ++it_b) {
        if (it_b == b.end()) return path + ": missing key \"" + std::string(it_a.key()) + "\"";
        if (it_a.key() != it_b.key()) {
          return path + ": expected key \"" + std::string(it_a.key()) + "\", got \"" +
                 std::string(it_b.key()) + "\"";
        }
        const std::string diff =
            JsonDiffElements(it_a.value(), it_b.value(), path + "." + std::string(it_a.key()));
        if (!diff.empty()) return diff;
      }
      if (it_b != b.end()) return path + ": unexpected key \"" + std::string(it_b.key()) + "\"";
      return "";
    }
    case element_type::ARRAY: {
      const simdjson::dom::array a = expected.get_array().value_unsafe();
      const simdjson::dom::array b = actual.get_array().value_unsafe();
      if (a.size() != b.size()) {
        return path + ": expected " + std::to_string(a.size()) + " elements, got " +
               std::to_string(b.size());
      }
      std::size_t i = 0;
      for (auto it_a = a.begin(), it_b = b.begin(); it_a != a.end(); ++it_a, ++it_b, ++i) {
        const std::string diff =
            JsonDiffElements(*it_a, *it_b, path + "[" + std::to_string(i) + "]");
        if (!diff.empty()) return diff;
      }
      return "";
    }
    default:
      if (simdjson::minify(expected) == simdjson::minify(actual)) return "";
      return path + ": expected " + simdjson::minify(expected) + ", got " +
             simdjson::minify(actual);
  }
}

inline std::string JsonDiff(std::string_view expected, std::string_view actual) {
  simdjson::dom::parser pa;
  simdjson::dom::parser pb;
  simdjson::dom::element a;
  simdjson::dom::element b;
  // The inputs outlive the parses (simdjson elements may refer back to them).
  const simdjson::padded_string expected_json(expected);
  const simdjson::padded_string actual_json(actual);
  if (pa.parse(expected_json).get(a)) return "expected text is not JSON";
  if (pb.parse(actual_json).get(b)) {
    return "actual text is not JSON: " + std::string(actual.substr(0, 200));
  }
  return JsonDiffElements(a, b, "$");
}

inline bool IsValidJson(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element ignored;
  const simdjson::padded_string json(text);
  return parser.parse(json).get(ignored) == simdjson::SUCCESS;
}

inline std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline std::string Base64Decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) throw std::runtime_error("bad base64 in fixture");
  std::size_t len = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --len;  // padding
  out.resize(len);
  return out;
}

// Fixture format of one row: [[name, value], ...] with value a string, null, or
// {"base64": "..."} for a binary column (the raw bytes).
inline void WriteRowJson(const Row& row, JsonWriter* w) {
  w->StartArray();
  for (const ColumnValue& column : row) {
    w->StartArray();
    w->String(column.name);
    if (column.is_null && column.is_binary) {
      w->StartObject();
      w->LiteralKey("base64");
      w->Null();
      w->EndObject();
    } else if (column.is_null) {
      w->Null();
    } else if (column.is_binary) {
      w->StartObject();
      w->LiteralKey("base64");
      w->Base64String(column.value);
      w->EndObject();
    } else {
      w->String(column.value);
    }
    w->EndArray();
  }
  w->EndArray();
}

// The fixture format of a DecodedMessage: {"watermark_ts": N|null, "events": [...]}.
inline std::string DecodedToJson(const DecodedMessage& message) {
  std::string out;
  {
    JsonWriter w(&out);
    w.StartObject();
    w.LiteralKey("watermark_ts");
    if (message.watermark_ts) {
      w.Integer(*message.watermark_ts);
    } else {
      w.Null();
    }
    w.LiteralKey("events");
    w.StartArray();
    for (const ChangeEvent& e : message.events) {
      w.StartObject();
      w.LiteralKey("op");
      w.String(OpName(e.op));
      w.LiteralKey("database");
      w.String(e.database);
      w.LiteralKey("table");
      w.String(e.table);
      w.LiteralKey("pk_names");
      w.StartArray();
      for (const std::string_view pk : e.pk_names) w.String(pk);
      w.EndArray();
      w.LiteralKey("commit_ts");
      if (e.commit_ts) {
        w.Integer(*e.commit_ts);
      } else {
        w.Null();
      }
      w.LiteralKey("es_ms");
      w.Integer(e.es_ms);
      w.LiteralKey("ts_ms");
      w.Integer(e.ts_ms);
      w.LiteralKey("ddl_type");
      w.String(e.ddl_type);
      w.LiteralKey("sql");
      w.String(e.sql);
      w.LiteralKey("only_handle_key");
      w.Bool(e.only_handle_key);
      w.LiteralKey("claim_check_location");
      w.String(e.claim_check_location);
      w.LiteralKey("data");
      WriteRowJson(e.data, &w);
      w.LiteralKey("old");
      WriteRowJson(e.old, &w);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  return out;
}

// A DecodedMessage read back from a fixture, with the text its events' views point into.
struct FixtureMessage {
  std::deque<std::string> text;  // a deque: its strings stay put as it grows and when it moves
  DecodedMessage message;

  std::string_view Keep(std::string value) { return text.emplace_back(std::move(value)); }
};

inline Row RowFromJson(simdjson::dom::array columns, FixtureMessage* owner) {
  Row row;
  for (simdjson::dom::element pair : columns) {
    const simdjson::dom::array parts = pair.get_array().value();
    ColumnValue column;
    column.name = owner->Keep(std::string(parts.at(0).get_string().value()));
    const simdjson::dom::element value = parts.at(1).value();
    if (value.is_null()) {
      column.is_null = true;
    } else if (value.is_object()) {
      column.is_binary = true;
      const simdjson::dom::element b64 = value["base64"].value();
      if (b64.is_null()) {
        column.is_null = true;
      } else {
        column.value = owner->Keep(Base64Decode(b64.get_string().value()));
      }
    } else {
      column.value = owner->Keep(std::string(value.get_string().value()));
    }
    row.push_back(column);
  }
  return row;
}

// Inverse of DecodedToJson (throws on a malformed fixture).
inline FixtureMessage DecodedFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);  // must outlive the parse
  const simdjson::dom::element root = parser.parse(padded).value();
  FixtureMessage fixture;
  DecodedMessage& message = fixture.message;
  auto text = [&](simdjson::dom::element e, const char* key) {
    return fixture.Keep(std::string(e[key].get_string().value()));
  };
  if (!root["watermark_ts"].is_null())
    message.watermark_ts = root["watermark_ts"].get_uint64().value();
  const simdjson::dom::array events = root["events"].get_array().value();
  for (simdjson::dom::element e : events) {
    ChangeEvent event;
    const std::string_view op = e["op"].get_string().value();
    for (Op candidate : {Op::kInsert, Op::kUpdate, Op::kDelete, Op::kDdl}) {
      if (OpName(candidate) == op) event.op = candidate;
    }
    event.database = text(e, "database");
    event.table = text(e, "table");
    const simdjson::dom::array pk_names = e["pk_names"].get_array().value();
    for (simdjson::dom::element pk : pk_names) {
      event.pk_names.push_back(fixture.Keep(std::string(pk.get_string().value())));
    }
    if (!e["commit_ts"].is_null()) event.commit_ts = e["commit_ts"].get_uint64().value();
    event.es_ms = e["es_ms"].get_int64().value();
    event.ts_ms = e["ts_ms"].get_int64().value();
    event.ddl_type = text(e, "ddl_type");
    event.sql = text(e, "sql");
    event.only_handle_key = e["only_handle_key"].get_bool().value();
    event.claim_check_location = text(e, "claim_check_location");
    event.data = RowFromJson(e["data"].get_array().value(), &fixture);
    event.old = RowFromJson(e["old"].get_array().value(), &fixture);
    message.events.push_back(std::move(event));
  }
  return fixture;
}

// Golden files: with CDC_REGENERATE_FIXTURES=1 the example tests write what the code produces
// (compact; pretty-print before review) instead of comparing.
inline bool RegenerateFixtures() {
  const char* env = std::getenv("CDC_REGENERATE_FIXTURES");
  return env != nullptr && std::string_view(env) == "1";
}

inline void WriteFile(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace cdc::testing
