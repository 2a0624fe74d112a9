#include "pipeline/canal_message_decoder.h"

#include <algorithm>
#include <array>

#include "decode/decode_error.h"

namespace cdc {

Status CanalMessageDecoder::Decode(std::string_view payload, kafka::DecodedRecord* out) {
  batch_.Decode(std::span<const std::string_view>(&payload, 1));
  return Shape(0, out);
}

void CanalMessageDecoder::DecodeAll(std::span<kafka::DecodeSlot> slots) {
  std::array<std::string_view, BatchDecoder::kLanes> payloads;
  while (!slots.empty()) {
    const std::size_t count = std::min(slots.size(), payloads.size());
    for (std::size_t i = 0; i < count; ++i) payloads[i] = slots[i].payload;
    const std::size_t taken = batch_.Decode(std::span(payloads.data(), count));
    for (std::size_t i = 0; i < taken; ++i) slots[i].status = Shape(i, &slots[i].record);
    slots = slots.subspan(taken);
  }
}

Status CanalMessageDecoder::Shape(std::size_t lane, kafka::DecodedRecord* out) {
  out->Clear();
  if (const Status& status = batch_.status(lane); !status.ok()) return status;
  const DecodedMessage& message = batch_.message(lane);
  out->watermark_ts = message.watermark_ts;
  out->documents.resize(message.events.size());
  for (std::size_t i = 0; i < message.events.size(); ++i) {
    shaper_.Shape(message.events[i], &scratch_);
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
