#pragma once

#include <cstddef>
#include <string_view>

namespace cdc {

// `a == b` for the short texts compared on every column of every message (column names, mostly
// under 16 bytes): a byte loop, inlined, instead of a call into libc's memcmp, which is tuned for
// long inputs and cost more than the comparison itself here.
inline bool SameShortText(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace cdc
