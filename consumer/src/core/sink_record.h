#pragma once

#include <vector>

#include "core/document.h"
#include "core/message_ref.h"

namespace cdc {

// A document on its way to a sink, tagged with the Kafka record it came from so that the sink's
// acknowledgement can be routed back to the offset tracker.
struct SinkRecord {
  Document doc;
  MessageRef source;
};

using Batch = std::vector<SinkRecord>;

}  // namespace cdc
