#pragma once

#include <string>
#include <vector>

#include "core/change_event.h"
#include "core/document.h"
#include "transform/redactor.h"

namespace cdc {

struct ShaperOptions {
  // Column-name patterns to redact (see Redactor); an empty list turns redaction off.
  std::vector<std::string> redact_patterns = Redactor::DefaultPatterns();
};

// Turns a ChangeEvent into the Elasticsearch document the dashboards rely on (docs/decoder.md
// "Documents"): fixed key order, compact JSON written by hand, binary values base64, sensitive
// values "[REDACTED]" in data, old and pk, and a deterministic id (document_id.h).
// Immutable after construction; any thread may call it concurrently.
class DocumentShaper {
 public:
  explicit DocumentShaper(ShaperOptions options);

  Document Shape(const ChangeEvent& event) const;
  // Fills every field of `out`, reusing its buffers: the form for the hot path.
  void Shape(const ChangeEvent& event, Document* out) const;

  const Redactor& redactor() const { return redactor_; }

 private:
  Redactor redactor_;
};

}  // namespace cdc
