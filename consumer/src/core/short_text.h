#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace cdc {

// `a == b` for the short texts compared on every column of every message (column names, mostly
// under 16 bytes): inlined word compares (overlapping at the end, so no byte tail loop) instead
// of a call into libc's memcmp, which is tuned for long inputs and cost more than the comparison
// itself here.
inline bool SameShortText(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  const auto load8 = [](const char* s) {
    std::uint64_t v;
    std::memcpy(&v, s, sizeof v);
    return v;
  };
  const auto load4 = [](const char* s) {
    std::uint32_t v;
    std::memcpy(&v, s, sizeof v);
    return v;
  };
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (load8(p + i) != load8(q + i)) return false;
    }
    return load8(p + n - 8) == load8(q + n - 8);
  }
  if (n >= 4) return load4(p) == load4(q) && load4(p + n - 4) == load4(q + n - 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] != q[i]) return false;
  }
  return true;
}

// Copies `text` to `dst` (which has room for it). Texts up to 32 bytes, such as the column names
// and most values written into every document, are copied with overlapping word moves, inline;
// longer ones by memcpy. Nothing outside `text` is read, nothing past `dst + text.size()` is
// written.
inline void CopyShortText(char* dst, std::string_view text) {
  const std::size_t n = text.size();
  const char* src = text.data();
  if (n > 32) {
    std::memcpy(dst, src, n);
  } else if (n > 16) {
    std::uint64_t words[4];
    std::memcpy(&words[0], src, 16);
    std::memcpy(&words[2], src + n - 16, 16);
    std::memcpy(dst, &words[0], 16);
    std::memcpy(dst + n - 16, &words[2], 16);
  } else if (n >= 8) {
    std::uint64_t head;
    std::uint64_t tail;
    std::memcpy(&head, src, 8);
    std::memcpy(&tail, src + n - 8, 8);
    std::memcpy(dst, &head, 8);
    std::memcpy(dst + n - 8, &tail, 8);
  } else if (n >= 4) {
    std::uint32_t head;
    std::uint32_t tail;
    std::memcpy(&head, src, 4);
    std::memcpy(&tail, src + n - 4, 4);
    std::memcpy(dst, &head, 4);
    std::memcpy(dst + n - 4, &tail, 4);
  } else if (n >= 2) {
    std::uint16_t head;
    std::uint16_t tail;
    std::memcpy(&head, src, 2);
    std::memcpy(&tail, src + n - 2, 2);
    std::memcpy(dst, &head, 2);
    std::memcpy(dst + n - 2, &tail, 2);
  } else if (n == 1) {
    *dst = *src;
  }
}

}  // namespace cdc
