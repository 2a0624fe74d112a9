#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "core/change_event.h"
#include "core/status.h"
#include "decode/canal_json_decoder.h"

namespace cdc {

// Decodes several messages before any of them is shaped, each with its own CanalJsonDecoder
// (events are views into their decoder's parse, so each message held needs one).
//
// Why: the decode path (simdjson's two stages, the envelope walk) and the shaping path (the id
// and its SHA-256, the document writer) are together larger than a core's 32 KiB L1 instruction
// cache. Alternating them message by message fetches most of that code again for every message:
// cachegrind counted 339 L1 instruction misses per appdb.users INSERT that way, and 41 when
// kLanes = 8 messages are decoded before they are shaped (docs/decoder.md "Performance").
//
// Memory: every lane's parser is sized for CanalJsonDecoder::kPreallocatedBytes up front. A
// larger message only ever goes to lane 0, whose parser grows for it and gives the memory back
// as CanalJsonDecoder's does, so the other lanes never grow.
//
// Not thread-safe: one per thread, like CanalJsonDecoder.
class BatchDecoder {
 public:
  static constexpr std::size_t kLanes = 8;

  // Decodes the first messages of `payloads` (at most kLanes) and returns how many it took; a
  // message larger than CanalJsonDecoder::kPreallocatedBytes is only taken first in a batch. The
  // results, status(i) and message(i) for i below that count, stay valid until the next call.
  // Each message is decoded exactly as CanalJsonDecoder::Decode would decode it alone.
  std::size_t Decode(std::span<const std::string_view> payloads);

  const Status& status(std::size_t lane) const { return lanes_[lane].status; }
  const DecodedMessage& message(std::size_t lane) const { return lanes_[lane].message; }

 private:
  struct Lane {
    CanalJsonDecoder decoder;
    DecodedMessage message;
    Status status;
  };
  std::array<Lane, kLanes> lanes_;
};

}  // namespace cdc
