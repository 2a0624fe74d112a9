#include "decode/canal_json_decoder.h"

#include <cstring>

#include <simdjson.h>

#include "decode/envelope_parser.h"
#include "decode/event_builder.h"
#include "decode/raw_message.h"

namespace cdc {
namespace {

// TiCDC never nests deeper than 4 levels; anything past this is junk (and the bound keeps the
// parser's depth stack small).
constexpr std::size_t kMaxDepth = 64;
// Far above any Kafka record TiCDC can produce (max-message-bytes defaults to 10 MiB); the
// parser's memory is a small multiple of the message size.
constexpr std::size_t kMaxMessageBytes = std::size_t{64} << 20;
constexpr std::size_t kInitialCapacity = std::size_t{64} << 10;
// After a message larger than this the parser gives its memory back.
constexpr std::size_t kRetainedCapacity = std::size_t{4} << 20;

}  // namespace

// Why the DOM parser and not simdjson's On-Demand front end: Debian's simdjson headers are
// built for generic x86-64, so On-Demand runs its "fallback" kernel for everything after stage 1,
// while the DOM parser's stage 2 is picked at run time (icelake/haswell) inside libsimdjson. On a
// TiCDC appdb.users message a DOM parse plus a full walk measured 2x faster than an On-Demand
// walk (docs/decoder.md "Performance"), and the DOM parse validates the whole document, so
// unknown keys need no separate validation pass.
struct CanalJsonDecoder::Impl {
  Impl() : parser(kMaxMessageBytes) {
    // A failure leaves the parser empty; the first parse then allocates (or reports too_large).
    static_cast<void>(parser.allocate(kInitialCapacity, kMaxDepth) == simdjson::SUCCESS);
  }

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

  Status ParseError(simdjson::error_code error, simdjson::padded_string_view json);
  Status NumberError(simdjson::padded_string_view json);

  simdjson::dom::parser parser;
  simdjson::ondemand::parser error_parser;  // only on the error path, see NumberError
  std::unique_ptr<char[]> buffer;
  std::size_t capacity = 0;
  RawMessage raw;
};

Status CanalJsonDecoder::Impl::ParseError(simdjson::error_code error,
                                          simdjson::padded_string_view json) {
  switch (error) {
    case simdjson::CAPACITY:
    case simdjson::MEMALLOC:
      return MakeDecodeError(DecodeError::kTooLarge, "the message does not fit the parser");
    case simdjson::DEPTH_ERROR:
      return MakeDecodeError(DecodeError::kInvalidJson, "nesting deeper than 64 levels");
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return NumberError(json);
    default:
      return MakeDecodeError(DecodeError::kInvalidJson, simdjson::error_message(error));
  }
}

// The DOM parser rejects an integer >= 2^64 as a malformed number, wherever it is. When it is
// `_tidb.commitTs` (or watermarkTs) the precise reason is worth reporting, so look there with
// the lazy parser, which does not parse the numbers it skips.
Status CanalJsonDecoder::Impl::NumberError(simdjson::padded_string_view json) {
  simdjson::ondemand::document doc;
  simdjson::ondemand::value tidb;
  simdjson::ondemand::value tso;
  if (!error_parser.iterate(json).get(doc) && !doc.find_field_unordered("_tidb").get(tidb)) {
    if (!tidb.find_field_unordered("commitTs").get(tso) && tso.get_uint64().error()) {
      return MakeDecodeError(DecodeError::kBadCommitTs,
                             "_tidb.commitTs must be an integer in [0, 2^64)");
    }
    if (!tidb.find_field_unordered("watermarkTs").get(tso) && tso.get_uint64().error()) {
      return MakeDecodeError(DecodeError::kBadWatermarkTs,
                             "_tidb.watermarkTs must be an integer in [0, 2^64)");
    }
  }
  return MakeDecodeError(DecodeError::kInvalidJson,
                         "a number is malformed or out of range (integers must be below 2^64)");
}

CanalJsonDecoder::CanalJsonDecoder() : impl_(std::make_unique<Impl>()) {}
CanalJsonDecoder::~CanalJsonDecoder() = default;
CanalJsonDecoder::CanalJsonDecoder(CanalJsonDecoder&&) noexcept = default;
CanalJsonDecoder& CanalJsonDecoder::operator=(CanalJsonDecoder&&) noexcept = default;

Status CanalJsonDecoder::Decode(std::string_view payload, DecodedMessage* out) {
  out->watermark_ts.reset();
  if (payload.size() > kMaxMessageBytes) {
    out->events.clear();
    return MakeDecodeError(DecodeError::kTooLarge, "the message exceeds 64 MiB");
  }
  const simdjson::padded_string_view json = impl_->Pad(payload);
  simdjson::dom::element root;
  Status status;
  // The DOM parse accepts trailing whitespace (TiCDC's "\r\n") and rejects anything else after
  // the top-level value.
  if (const simdjson::error_code e =
          impl_->parser.parse(json.data(), json.length(), /*realloc_if_needed=*/false).get(root)) {
    status = impl_->ParseError(e, json);
  } else {
    status = ParseEnvelope(root, &impl_->raw);
  }
  if (status.ok()) {
    status = BuildEvents(&impl_->raw, out);
  } else {
    out->events.clear();
  }
  if (impl_->parser.capacity() > kRetainedCapacity) {
    // Same as above: on failure the next parse allocates what it needs.
    static_cast<void>(impl_->parser.allocate(kInitialCapacity, kMaxDepth) == simdjson::SUCCESS);
  }
  return status;
}

}  // namespace cdc
