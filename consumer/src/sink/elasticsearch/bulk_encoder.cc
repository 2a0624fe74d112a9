#include "sink/elasticsearch/bulk_encoder.h"

#include "core/json_writer.h"

namespace cdc {

void AppendBulkCreate(std::string_view index, const Document& doc, std::string* out) {
  if (IsPlainJsonText(index) && IsPlainJsonText(doc.id)) {
    // Nearly every item: ids are digits, hex and dashes (transform/document_id.h) and index
    // names are plain ASCII, so the action line is copied in pieces without a writer.
    out->append(R"({"create":{"_index":")")
        .append(index)
        .append(R"(","_id":")")
        .append(doc.id)
        .append("\"}}\n")
        .append(doc.source_json)
        .push_back('\n');
    return;
  }
  {
    JsonWriter action(out);
    action.StartObject();
    action.LiteralKey("create");
    action.StartObject();
    action.LiteralKey("_index");
    action.String(index);
    action.LiteralKey("_id");
    action.String(doc.id);
    action.EndObject();
    action.EndObject();
  }
  out->push_back('\n');
  out->append(doc.source_json);
  out->push_back('\n');
}

}  // namespace cdc
