#include "pipeline/canal_message_decoder.h"

#include "decode/decode_error.h"

namespace cdc {

Status CanalMessageDecoder::Decode(std::string_view payload, kafka::DecodedRecord* out) {
  out->Clear();
  Status st = decoder_.Decode(payload, &message_);
  if (!st.ok()) return st;
  out->watermark_ts = message_.watermark_ts;
  out->documents.resize(message_.events.size());
  for (std::size_t i = 0; i < message_.events.size(); ++i) {
    shaper_.Shape(message_.events[i], &scratch_);
    out->documents[i] = scratch_;
  }
  // A huge row must not pin its buffer for the life of the source.
  if (scratch_.source_json.capacity() > (std::size_t{1} << 20))
    std::string().swap(scratch_.source_json);
  return Status::Ok();
}

std::string CanalMessageDecoder::ErrorSlug(const Status& error) const {
  return std::string(DecodeErrorSlug(error));
}

}  // namespace cdc
