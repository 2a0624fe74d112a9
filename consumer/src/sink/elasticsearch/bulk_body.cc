#include "sink/elasticsearch/bulk_body.h"

#include "sink/elasticsearch/bulk_encoder.h"

namespace cdc::es {

void AppendCreate(std::string_view index, const Document& doc, std::string* out) {
  AppendBulkCreate(index, doc, out);
}

}  // namespace cdc::es
