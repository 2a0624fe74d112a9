#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/document.h"
#include "core/status.h"

namespace cdc::kafka {

// The documents one Kafka record turns into, and the TiCDC watermark it carried, if any.
struct DecodedRecord {
  std::vector<Document> documents;
  std::optional<std::uint64_t> watermark_ts;

  void Clear() {
    documents.clear();
    watermark_ts.reset();
  }
};

// One record of a poll round: its value, and what decoding it gave.
struct DecodeSlot {
  std::string_view payload;
  DecodedRecord record;
  Status status;
};

// Turns a Kafka record value into documents (decode + shape). The source owns one and calls it
// from its poll thread only. The pipeline implements it with CanalJsonDecoder + DocumentShaper;
// tests plug in their own.
class MessageDecoder {
 public:
  virtual ~MessageDecoder() = default;
  // An error means the record is poison: it goes to the dead-letter topic.
  virtual Status Decode(std::string_view payload, DecodedRecord* out) = 0;
  // Decodes every slot's payload into its record and status, as Decode would one by one. The
  // pipeline's decoder overrides it to decode several records before shaping them.
  virtual void DecodeAll(std::span<DecodeSlot> slots) {
    for (DecodeSlot& slot : slots) slot.status = Decode(slot.payload, &slot.record);
  }
  // A short, value-free slug for a Decode error ("invalid_json"), used in the dead letter's
  // reason ("decode:<slug>") and the decode-error metric.
  virtual std::string ErrorSlug(const Status& error) const = 0;
};

}  // namespace cdc::kafka
