#pragma once

#include <cstdint>

namespace cdc {

// Where a record came from: the Kafka partition and offset, plus the assignment generation the
// source gave the partition when the record was read. An acknowledgement whose generation is not
// the partition's current one belongs to a revoked assignment and is ignored.
struct MessageRef {
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::uint64_t generation = 0;

  friend bool operator==(const MessageRef&, const MessageRef&) = default;
};

}  // namespace cdc
