#pragma once

#include <simdjson.h>

#include "core/status.h"
#include "decode/raw_message.h"

namespace cdc {

// Values nested deeper than this inside unknown keys are rejected as invalid_json: TiCDC never
// nests beyond 3 levels, and the bound keeps the validating walk's recursion small.
inline constexpr int kMaxUnknownDepth = 64;

// One on-demand pass over the top-level object of a canal-json message: checks the JSON type of
// every known key, fully validates the values of unknown keys (on-demand parsing would otherwise
// skip them unchecked), and records what it read in `raw` (cleared first). It does not check
// what follows the object; the caller does. Errors are decode-error statuses (decode_error.h).
Status ParseEnvelope(simdjson::ondemand::document& doc, RawMessage* raw);

}  // namespace cdc
