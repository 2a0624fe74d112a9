#pragma once

#include <cstdint>
#include <optional>
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

// Turns a Kafka record value into documents (decode + shape). The source owns one and calls it
// from its poll thread only. The pipeline implements it with CanalJsonDecoder + DocumentShaper;
// tests plug in their own.
class MessageDecoder {
 public:
  virtual ~MessageDecoder() = default;
  // An error means the record is poison: it goes to the dead-letter topic.
  virtual Status Decode(std::string_view payload, DecodedRecord* out) = 0;
  // A short, value-free slug for a Decode error ("invalid_json"), used in the dead letter's
  // reason ("decode:<slug>") and the decode-error metric.
  virtual std::string ErrorSlug(const Status& error) const = 0;
};

}  // namespace cdc::kafka
