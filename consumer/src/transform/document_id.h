#pragma once

#include <cstddef>
#include <string>

#include "core/change_event.h"

namespace cdc {

inline constexpr std::size_t kMaxDocumentIdBytes = 512;

// Writes the Elasticsearch `_id` of `event` to `out` (replacing its content). Deterministic:
// a redelivery of the same row change (new canal `ts`, new Kafka offset) gives the same id, and
// different row changes give different ids. Shape (docs/decoder.md "Document id"):
//   with commitTs:    <commitTs>-<op>-<32 hex>   e.g. 449448587919360008-update-1f0c...
//   without commitTs: es<es>-<op>-<32 hex>
// where the hex is the first 128 bits of SHA-256 over length-prefixed key material: database,
// table, op and, with commitTs, the pk values in pkNames order (the full row image(s) when
// there is no pk); without commitTs, `es` and the full row image(s); for DDL, the canal type and
// the SQL text. Values are hashed, never written in clear, so redacted pk values cannot leak
// through the id. At most 63 bytes. Thread-safe (the hashing state is on the stack).
void BuildDocumentId(const ChangeEvent& event, std::string* out);

}  // namespace cdc
