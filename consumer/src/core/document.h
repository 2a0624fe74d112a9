#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/change_event.h"

namespace cdc {

// One Elasticsearch document (one row change), already shaped and redacted. `source_json` is the
// compact JSON object written as the `_source`; every sink stores exactly this text under `id`.
struct Document {
  std::string id;           // deterministic, at most 512 bytes
  std::string source_json;  // compact JSON object, no trailing newline
  Op op = Op::kInsert;
  std::string database;
  std::string table;
  std::optional<std::uint64_t> commit_ts;
  std::int64_t event_time_ms = 0;  // the `@timestamp` value, ms since the Unix epoch
};

}  // namespace cdc
