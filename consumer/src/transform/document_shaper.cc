#include "transform/document_shaper.h"

#include <utility>

#include "core/json_writer.h"
#include "transform/document_id.h"
#include "transform/timestamp.h"

namespace cdc {
namespace {

constexpr std::string_view kRedacted = "[REDACTED]";

void WriteValue(const ColumnValue& column, bool sensitive, JsonWriter* w) {
  if (column.is_null) {
    w->Null();
  } else if (sensitive) {
    w->LiteralString(kRedacted);
  } else if (column.is_binary) {
    w->Base64String(column.value);
  } else {
    w->String(column.value);
  }
}

// `commit_ts_digits`: the decimal commitTs, which the id already starts with.
void WriteTrailer(const ChangeEvent& event, std::string_view commit_ts_digits,
                  std::string_view timestamp, JsonWriter* w) {
  if (event.commit_ts.has_value()) {
    w->LiteralKey("commit_ts");
    w->RawValue(commit_ts_digits);
  }
  w->LiteralKey("@timestamp");
  w->LiteralString(timestamp);
  w->LiteralKey("ts_ms");
  w->Integer(event.ts_ms);
}

}  // namespace

void DocumentShaper::WriteRow(const ChangeEvent& event, const Row& row, JsonWriter* w) {
  w->StartObject();
  for (std::size_t j = 0; j < row.size(); ++j) {
    const ColumnValue& column = row[j];
    const ColumnFacts& facts = Facts(event, j, column.name);
    w->JsonKey(facts.json_name);
    WriteValue(column, facts.sensitive, w);
  }
  w->EndObject();
}

void DocumentShaper::WritePk(const ChangeEvent& event, JsonWriter* w) {
  w->StartObject();
  for (const std::string_view name : event.pk_names) {
    const ColumnValue* column = FindColumn(event.data, name);
    if (column == nullptr) continue;
    const auto position = static_cast<std::size_t>(column - event.data.data());
    const ColumnFacts& facts = Facts(event, position, name);
    w->JsonKey(facts.json_name);
    WriteValue(*column, facts.sensitive, w);
  }
  w->EndObject();
}

DocumentShaper::DocumentShaper(ShaperOptions options)
    : redactor_(std::move(options.redact_patterns)) {}

const ColumnFacts& DocumentShaper::Facts(const ChangeEvent& event, std::size_t position,
                                         std::string_view name) {
  return columns_.Lookup(redactor_, event.database, event.table, position, name);
}

Document DocumentShaper::Shape(const ChangeEvent& event) {
  Document doc;
  Shape(event, &doc);
  return doc;
}

void DocumentShaper::Shape(const ChangeEvent& event, Document* out) {
  out->op = event.op;
  out->database.assign(event.database);
  out->table.assign(event.table);
  out->commit_ts = event.commit_ts;
  out->event_time_ms = event.commit_ts.has_value() ? TsoPhysicalMs(*event.commit_ts) : event.es_ms;
  BuildDocumentId(event, &out->id);
  // The id reads <commitTs>-<op>-<hash> when there is a commitTs (document_id.h).
  const std::string_view commit_ts_digits =
      event.commit_ts.has_value() ? std::string_view(out->id).substr(0, out->id.find('-'))
                                  : std::string_view();
  const std::string_view timestamp = timestamps_.Format(out->event_time_ms);

  out->source_json.clear();
  JsonWriter w(&out->source_json);
  w.StartObject();
  w.LiteralKey("database");
  w.String(event.database);
  w.LiteralKey("table");
  w.String(event.table);
  w.LiteralKey("type");
  w.LiteralString(OpName(event.op));
  if (event.op == Op::kDdl) {
    w.LiteralKey("ddl_type");
    w.String(event.ddl_type);
    w.LiteralKey("sql");
    w.String(event.sql);
    WriteTrailer(event, commit_ts_digits, timestamp, &w);
    w.EndObject();
    return;
  }
  w.LiteralKey("pk");
  WritePk(event, &w);
  w.LiteralKey("data");
  WriteRow(event, event.data, &w);
  if (event.op == Op::kUpdate) {
    w.LiteralKey("old");
    WriteRow(event, event.old, &w);
  }
  WriteTrailer(event, commit_ts_digits, timestamp, &w);
  if (event.only_handle_key) {
    w.LiteralKey("only_handle_key");
    w.Bool(true);
  }
  if (!event.claim_check_location.empty()) {
    w.LiteralKey("claim_check_location");
    w.String(event.claim_check_location);
  }
  w.EndObject();
}

}  // namespace cdc
