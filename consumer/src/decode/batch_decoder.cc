#include "decode/batch_decoder.h"

#include <algorithm>

namespace cdc {

std::size_t BatchDecoder::Decode(std::span<const std::string_view> payloads) {
  const std::size_t count = std::min(payloads.size(), kLanes);
  std::size_t taken = 0;
  for (; taken < count; ++taken) {
    const std::string_view payload = payloads[taken];
    if (taken > 0 && payload.size() > CanalJsonDecoder::kPreallocatedBytes) break;
    Lane& lane = lanes_[taken];
    lane.status = lane.decoder.Decode(payload, &lane.message);
  }
  return taken;
}

}  // namespace cdc
