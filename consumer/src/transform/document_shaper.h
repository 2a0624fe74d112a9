#pragma once

#include <string>
#include <vector>

#include "core/change_event.h"
#include "core/document.h"
#include "core/json_writer.h"
#include "transform/column_name_cache.h"
#include "transform/redactor.h"
#include "transform/timestamp.h"

namespace cdc {

struct ShaperOptions {
  // Column-name patterns to redact (see Redactor); an empty list turns redaction off.
  std::vector<std::string> redact_patterns = Redactor::DefaultPatterns();
};

// Turns a ChangeEvent into the Elasticsearch document the dashboards rely on (docs/decoder.md
// "Documents"): fixed key order, compact JSON written by hand, binary values base64, sensitive
// values "[REDACTED]" in data, old and pk, and a deterministic id (document_id.h).
// Not thread-safe (it remembers the column names it saw last): one shaper per thread.
class DocumentShaper {
 public:
  explicit DocumentShaper(ShaperOptions options);

  Document Shape(const ChangeEvent& event);
  // Fills every field of `out`, reusing its buffers: the form for the hot path.
  void Shape(const ChangeEvent& event, Document* out);

  const Redactor& redactor() const { return redactor_; }

 private:
  const ColumnFacts& Facts(const ChangeEvent& event, std::size_t position, std::string_view name);
  void WriteRow(const ChangeEvent& event, const Row& row, JsonWriter* w);
  // The pk columns, in pkNames order, taken from `data` (the new row; the deleted row for a
  // delete). A pk name missing from the row (only possible for hand-built events) is skipped.
  void WritePk(const ChangeEvent& event, JsonWriter* w);

  Redactor redactor_;
  ColumnNameCache columns_;
  Rfc3339MillisFormatter timestamps_;
};

}  // namespace cdc
