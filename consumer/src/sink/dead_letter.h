#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"

namespace cdc {

// A record that can never be delivered. `value` is the redacted document for a sink rejection,
// or the original Kafka value for a message that could not be decoded (nothing to redact from).
// `reason` is short and never holds row values.
struct DeadLetter {
  std::string value;
  std::string reason;  // e.g. "es_400:document_parsing_exception", "decode:invalid_json"
  std::string source_topic;
  std::int32_t source_partition = -1;
  std::int64_t source_offset = -1;
  std::string document_id;  // empty for decode failures
};

// Writes dead letters durably (the Kafka DLQ topic in production). `done` is called exactly once,
// from any thread, with ok only after the letter is durably stored; the caller acknowledges the
// record only then, and retries on error.
class DeadLetterWriter {
 public:
  virtual ~DeadLetterWriter() = default;
  virtual void Write(DeadLetter letter, std::function<void(Status)> done) = 0;
};

}  // namespace cdc
