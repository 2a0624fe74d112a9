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
constexpr std::size_t kInitialCapacity = CanalJsonDecoder::kPreallocatedBytes;
// After a message larger than this the parser gives its memory back.
constexpr std::size_t kRetainedCapacity = std::size_t{4} << 20;

// The DOM parser rejects an integer >= 2^64 as a malformed number, wherever it is. When it is
// `_tidb.commitTs` or `watermarkTs` the precise reason is worth reporting, so look for the key
// in the raw text and check the digits after it. (This only refines the reason of a message
// that is rejected anyway; it never accepts anything.)
Status NumberError(std::string_view text) {
  static constexpr std::string_view kMaxUint64 = "18446744073709551615";
  struct Key {
    std::string_view quoted;
    DecodeError error;
    const char* detail;
  };
  static constexpr Key kKeys[] = {
      {"\"commitTs\"", DecodeError::kBadCommitTs, "_tidb.commitTs is 2^64 or more"},
      {"\"watermarkTs\"", DecodeError::kBadWatermarkTs, "_tidb.watermarkTs is 2^64 or more"},
  };
  auto skip_blanks = [&](std::size_t i) {
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) {
      ++i;
    }
    return i;
  };
  for (const Key& key : kKeys) {
    for (std::size_t pos = text.find(key.quoted); pos != std::string_view::npos;
         pos = text.find(key.quoted, pos + 1)) {
      std::size_t i = skip_blanks(pos + key.quoted.size());
      if (i >= text.size() || text[i] != ':') continue;
      i = skip_blanks(i + 1);
      const std::size_t start = i;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
      const std::string_view digits = text.substr(start, i - start);
      if (digits.size() > kMaxUint64.size() ||
          (digits.size() == kMaxUint64.size() && digits > kMaxUint64)) {
        return MakeDecodeError(key.error, key.detail);
      }
    }
  }
  return MakeDecodeError(DecodeError::kInvalidJson,
                         "a number is malformed or out of range (integers must be below 2^64)");
}

Status ParseError(simdjson::error_code error, std::string_view json) {
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

  simdjson::dom::parser parser;
  std::unique_ptr<char[]> buffer;
  std::size_t capacity = 0;
  RawMessage raw;
};

CanalJsonDecoder::CanalJsonDecoder() : impl_(std::make_unique<Impl>()) {}
CanalJsonDecoder::~CanalJsonDecoder() = default;
CanalJsonDecoder::CanalJsonDecoder(CanalJsonDecoder&&) noexcept = default;
CanalJsonDecoder& CanalJsonDecoder::operator=(CanalJsonDecoder&&) noexcept = default;

Status CanalJsonDecoder::Decode(std::string_view payload, DecodedMessage* out) {
  // `out` keeps its events (and their vectors' capacity) until BuildEvents replaces them; every
  // error path before that empties it.
  if (payload.size() > kMaxMessageBytes) {
    out->Clear();
    return MakeDecodeError(DecodeError::kTooLarge, "the message exceeds 64 MiB");
  }
  // The previous message's events point into the parser's buffers until now, so a parser that
  // grew for a large message gives its memory back here rather than after that parse.
  if (impl_->parser.capacity() > kRetainedCapacity) {
    // On failure the parse below allocates what it needs (or reports the message too large).
    static_cast<void>(impl_->parser.allocate(kInitialCapacity, kMaxDepth) == simdjson::SUCCESS);
  }
  const simdjson::padded_string_view json = impl_->Pad(payload);
  simdjson::dom::element root;
  Status status;
  // The DOM parse accepts trailing whitespace (TiCDC's "\r\n") and rejects anything else after
  // the top-level value.
  if (const simdjson::error_code e =
          impl_->parser.parse(json.data(), json.length(), /*realloc_if_needed=*/false).get(root)) {
    status = ParseError(e, payload);
  } else {
    status = ParseEnvelope(root, &impl_->raw);
  }
  if (!status.ok()) {
    out->Clear();
    return status;
  }
  return BuildEvents(&impl_->raw, out);  // sets the watermark; empties `out` on error
}

}  // namespace cdc
