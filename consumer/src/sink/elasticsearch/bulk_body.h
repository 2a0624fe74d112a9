#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/document.h"

namespace cdc::es {

// The one place where the sink turns a document into `_bulk` lines: a `create` action (so that a
// replay of an applied request answers 409 instead of writing twice) and the source line, both
// newline-terminated as the bulk API requires. It delegates to the shared encoder
// (sink/elasticsearch/bulk_encoder.h); batching and tests go through this seam. Pure; any thread.
void AppendCreate(std::string_view index, const Document& doc, std::string* out);

// An upper bound of what AppendCreate adds for `doc` (ids escape to at most 6x), used for
// batching and back-pressure without encoding twice.
inline std::size_t BulkBytesBound(std::string_view index, const Document& doc) {
  return 40 + 6 * (index.size() + doc.id.size()) + doc.source_json.size();
}

}  // namespace cdc::es
