#pragma once

#include <string>
#include <string_view>

#include "core/document.h"

namespace cdc {

// Appends one `create` item of an Elasticsearch `_bulk` body to `out`:
//   {"create":{"_index":"<index>","_id":"<id>"}}\n<source_json>\n
// `create` (not `index`) so that a redelivered document, which has the same id, is a 409 the
// sink can treat as already delivered instead of a silent overwrite. Index and id are
// JSON-escaped; `doc.source_json` is written as is (the shaper produced compact JSON). Pure and
// thread-safe.
void AppendBulkCreate(std::string_view index, const Document& doc, std::string* out);

}  // namespace cdc
