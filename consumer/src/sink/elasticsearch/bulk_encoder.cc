#include "sink/elasticsearch/bulk_encoder.h"

#include "core/json_writer.h"

namespace cdc {

void AppendBulkCreate(std::string_view index, const Document& doc, std::string* out) {
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
