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
    shaper_.Shape(message_.events[i], &out->documents[i]);
  }
  return Status::Ok();
}

std::string CanalMessageDecoder::ErrorSlug(const Status& error) const {
  return std::string(DecodeErrorSlug(error));
}

}  // namespace cdc
