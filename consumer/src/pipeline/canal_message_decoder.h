#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/change_event.h"
#include "core/document.h"
#include "decode/batch_decoder.h"
#include "source/kafka/message_decoder.h"
#include "transform/document_shaper.h"

namespace cdc {

// The production MessageDecoder: canal-json → ChangeEvents (CanalJsonDecoder) → documents
// (DocumentShaper, which redacts). Owned by the Kafka source and called from one thread at a
// time; it keeps the decoders' scratch space between records. DecodeAll decodes up to
// BatchDecoder::kLanes records before it shapes them (see BatchDecoder for why).
class CanalMessageDecoder final : public kafka::MessageDecoder {
 public:
  explicit CanalMessageDecoder(ShaperOptions options) : shaper_(std::move(options)) {}

  Status Decode(std::string_view payload, kafka::DecodedRecord* out) override;
  void DecodeAll(std::span<kafka::DecodeSlot> slots) override;
  std::string ErrorSlug(const Status& error) const override;

 private:
  // Shapes the events of the batch's `lane` into `out`, or returns the lane's decode error.
  Status Shape(std::size_t lane, kafka::DecodedRecord* out);

  BatchDecoder batch_;
  DocumentShaper shaper_;
  // Shaped here first: its strings keep their capacity between records, so the writer's
  // growth happens once, and each document handed on is an exact-size copy (the sink may hold
  // it for a long time, and back-pressure counts its size).
  Document scratch_;
};

}  // namespace cdc
