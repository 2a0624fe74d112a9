#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "core/change_event.h"
#include "core/status.h"
#include "decode/decode_error.h"

namespace cdc {

// Decodes one TiCDC canal-json Kafka record value (TiCDC v6.5 through v8.5, plus Alibaba Canal's
// multi-row batches) into change events. Pure: no I/O, no logging, never throws, never asserts on
// its input. One instance per thread: it owns a simdjson parser, a padded copy of the payload and
// scratch space reused across calls, so it is not thread-safe.
class CanalJsonDecoder {
 public:
  // Messages up to this size are parsed in the memory allocated at construction; a larger one
  // grows the parser, which keeps up to 4 MiB worth of capacity for the next messages.
  static constexpr std::size_t kPreallocatedBytes = std::size_t{64} << 10;

  CanalJsonDecoder();
  ~CanalJsonDecoder();
  CanalJsonDecoder(CanalJsonDecoder&&) noexcept;
  CanalJsonDecoder& operator=(CanalJsonDecoder&&) noexcept;
  CanalJsonDecoder(const CanalJsonDecoder&) = delete;
  CanalJsonDecoder& operator=(const CanalJsonDecoder&) = delete;

  // Decodes `payload` into `out`, replacing whatever `out` held (its vectors keep their capacity,
  // so pass the same DecodedMessage on the hot path). The events' text fields are views into
  // this decoder's parse and `out`: valid until the next Decode call or the decoder's
  // destruction, and need not outlive `payload`. On error `out` is empty and the status is
  // Status::InvalidInput("<slug>: <detail>") with a slug from decode_error.h; the detail names
  // fields and columns, never row values. Trailing whitespace (TiCDC v6.5.0-v6.5.11 end DML
  // values with "\r\n") is accepted; anything else after the object is invalid_json.
  Status Decode(std::string_view payload, DecodedMessage* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdc
