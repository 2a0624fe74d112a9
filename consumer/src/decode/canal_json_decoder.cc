#include "decode/canal_json_decoder.h"

#include <cstring>

#include <simdjson.h>

#include "decode/envelope_parser.h"
#include "decode/event_builder.h"
#include "decode/raw_message.h"

namespace cdc {

struct CanalJsonDecoder::Impl {
  // Copies `payload` into the padded buffer simdjson needs (it reads up to
  // SIMDJSON_PADDING bytes past the end); the buffer only grows.
  simdjson::padded_string_view Pad(std::string_view payload) {
    const std::size_t needed = payload.size() + simdjson::SIMDJSON_PADDING;
    if (needed > capacity) {
      buffer.reset(new char[needed]);
      capacity = needed;
    }
    std::memcpy(buffer.get(), payload.data(), payload.size());
    std::memset(buffer.get() + payload.size(), 0, simdjson::SIMDJSON_PADDING);
    return simdjson::padded_string_view(buffer.get(), payload.size(), capacity);
  }

  simdjson::ondemand::parser parser;
  std::unique_ptr<char[]> buffer;
  std::size_t capacity = 0;
  RawMessage raw;
};

CanalJsonDecoder::CanalJsonDecoder() : impl_(std::make_unique<Impl>()) {}
CanalJsonDecoder::~CanalJsonDecoder() = default;
CanalJsonDecoder::CanalJsonDecoder(CanalJsonDecoder&&) noexcept = default;
CanalJsonDecoder& CanalJsonDecoder::operator=(CanalJsonDecoder&&) noexcept = default;

Status CanalJsonDecoder::Decode(std::string_view payload, DecodedMessage* out) {
  out->watermark_ts.reset();
  const simdjson::padded_string_view json = impl_->Pad(payload);
  simdjson::ondemand::document doc;
  Status status;
  if (const simdjson::error_code e = impl_->parser.iterate(json).get(doc)) {
    status = e == simdjson::CAPACITY || e == simdjson::MEMALLOC
                 ? MakeDecodeError(DecodeError::kTooLarge, "the message does not fit the parser")
                 : MakeDecodeError(DecodeError::kInvalidJson, simdjson::error_message(e));
  } else {
    status = ParseEnvelope(doc, &impl_->raw);
    // After the object only whitespace may follow: simdjson reports "out of bounds" there.
    if (status.ok() && doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
      status = MakeDecodeError(DecodeError::kInvalidJson, "content after the top-level object");
    }
  }
  if (status.ok()) return BuildEvents(&impl_->raw, out);
  out->events.clear();
  return status;
}

}  // namespace cdc
