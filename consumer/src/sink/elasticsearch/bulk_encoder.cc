#include "sink/elasticsearch/bulk_encoder.h"

#include "core/json_writer.h"

namespace cdc {

void AppendBulkCreate(std::string_view index, const Document& doc, std::string* out) {
  out->append(R"({"create":{"_index":)");
  AppendJsonString(index, out);
  out->append(R"(,"_id":)");
  AppendJsonString(doc.id, out);
  out->append("}}\n");
  out->append(doc.source_json);
  out->push_back('\n');
}

}  // namespace cdc
