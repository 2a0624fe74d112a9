#pragma once

#include <string>
#include <string_view>

#include "core/change_event.h"
#include "core/document.h"
#include "decode/canal_json_decoder.h"
#include "source/kafka/message_decoder.h"
#include "transform/document_shaper.h"

namespace cdc {

// The production MessageDecoder: canal-json → ChangeEvents (CanalJsonDecoder) → documents
// (DocumentShaper, which redacts). Owned by the Kafka source and called from its poll thread
// only; it keeps the decoder's scratch space between records.
class CanalMessageDecoder final : public kafka::MessageDecoder {
 public:
  explicit CanalMessageDecoder(ShaperOptions options) : shaper_(std::move(options)) {}

  Status Decode(std::string_view payload, kafka::DecodedRecord* out) override;
  std::string ErrorSlug(const Status& error) const override;

 private:
  CanalJsonDecoder decoder_;
  DocumentShaper shaper_;
  DecodedMessage message_;
  // Shaped here first: its strings keep their capacity between records, so the writer's
  // growth happens once, and each document handed on is an exact-size copy (the sink may hold
  // it for a long time, and back-pressure counts its size).
  Document scratch_;
};

}  // namespace cdc
