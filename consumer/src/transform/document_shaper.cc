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
    w->String(kRedacted);
  } else if (column.is_binary) {
    w->Base64String(column.value);
  } else {
    w->String(column.value);
  }
}

void WriteRow(const ChangeEvent& event, const Row& row, const Redactor& redactor, JsonWriter* w) {
  w->StartObject();
  for (const ColumnValue& column : row) {
    w->Key(column.name);
    WriteValue(column, redactor.IsSensitive(event.database, event.table, column.name), w);
  }
  w->EndObject();
}

// The pk columns, in pkNames order, taken from `data` (the new row; the deleted row for a
// delete). A pk name missing from the row (only possible for hand-built events) is skipped.
void WritePk(const ChangeEvent& event, const Redactor& redactor, JsonWriter* w) {
  w->StartObject();
  for (std::size_t i = 0; i < event.pk_names.size(); ++i) {
    const std::string& name = event.pk_names[i];
    const ColumnValue* found = nullptr;
    for (const ColumnValue& column : event.data) {
      if (column.name == name) {
        found = &column;
        break;
      }
    }
    if (found == nullptr) continue;
    w->Key(name);
    WriteValue(*found, redactor.IsSensitive(event.database, event.table, name), w);
  }
  w->EndObject();
}

void WriteTrailer(const ChangeEvent& event, std::int64_t event_time_ms, JsonWriter* w) {
  if (event.commit_ts.has_value()) {
    w->LiteralKey("commit_ts");
    w->Integer(*event.commit_ts);
  }
  w->LiteralKey("@timestamp");
  const auto timestamp = FormatRfc3339Millis(event_time_ms);
  w->LiteralString(std::string_view(timestamp.data(), timestamp.size()));
  w->LiteralKey("ts_ms");
  w->Integer(event.ts_ms);
}

}  // namespace

DocumentShaper::DocumentShaper(ShaperOptions options)
    : redactor_(std::move(options.redact_patterns)) {}

Document DocumentShaper::Shape(const ChangeEvent& event) const {
  Document doc;
  Shape(event, &doc);
  return doc;
}

void DocumentShaper::Shape(const ChangeEvent& event, Document* out) const {
  out->op = event.op;
  out->database.assign(event.database);
  out->table.assign(event.table);
  out->commit_ts = event.commit_ts;
  out->event_time_ms = event.commit_ts.has_value() ? TsoPhysicalMs(*event.commit_ts) : event.es_ms;
  BuildDocumentId(event, &out->id);

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
    WriteTrailer(event, out->event_time_ms, &w);
    w.EndObject();
    return;
  }
  w.LiteralKey("pk");
  WritePk(event, redactor_, &w);
  w.LiteralKey("data");
  WriteRow(event, event.data, redactor_, &w);
  if (event.op == Op::kUpdate) {
    w.LiteralKey("old");
    WriteRow(event, event.old, redactor_, &w);
  }
  WriteTrailer(event, out->event_time_ms, &w);
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
