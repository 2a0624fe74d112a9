#pragma once

#include <simdjson.h>

#include "core/status.h"
#include "decode/raw_message.h"

namespace cdc {

// One pass over the parsed top-level value of a canal-json message: checks the JSON type of
// every known key and records what it read in `raw` (cleared first). Unknown keys are ignored;
// they were validated with the rest of the document by the DOM parse. Views in `raw` point into
// the parser's string buffer. Errors are decode-error statuses (decode_error.h).
Status ParseEnvelope(simdjson::dom::element root, RawMessage* raw);

}  // namespace cdc
