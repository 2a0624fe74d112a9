#pragma once

#include "core/change_event.h"
#include "core/status.h"
#include "decode/raw_message.h"

namespace cdc {

// Interprets what ParseEnvelope collected: classifies the message (isDdl, then
// TIDB_WATERMARK, then DML), enforces the rules of each kind (required keys, rows, UPDATE
// pairing, pk columns, binary columns) and fills `out`. On success `out` holds exactly this
// message's events and watermark; storage of earlier events is reused (vectors keep their
// capacity). On error `out` is empty. `raw` is mutable only for its scratch space.
Status BuildEvents(RawMessage* raw, DecodedMessage* out);

}  // namespace cdc
