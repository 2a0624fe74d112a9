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

// Copies n bytes, sizeof(Word) <= n <= 2 * sizeof(Word), as two overlapping words.
template <typename Word>
inline void CopyTwoWords(char* dst, const char* src, std::size_t n) {
  Word head;
  Word tail;
  std::memcpy(&head, src, sizeof(Word));
  std::memcpy(&tail, src + n - sizeof(Word), sizeof(Word));
  std::memcpy(dst, &head, sizeof(Word));
  std::memcpy(dst + n - sizeof(Word), &tail, sizeof(Word));
}

// Copies `text` to `dst` (which has room for it). Texts up to 32 bytes, such as the column names
// and most values written into every document, are copied with overlapping word moves, inline;
// longer ones by memcpy. Nothing outside `text` is read, nothing past `dst + text.size()` is
// written.
inline void CopyShortText(char* dst, std::string_view text) {
  struct Words16 {
    std::uint64_t word[2];
  };
  const std::size_t n = text.size();
  const char* src = text.data();
  if (n > 32) {
    std::memcpy(dst, src, n);
  } else if (n > 16) {
    CopyTwoWords<Words16>(dst, src, n);
  } else if (n >= 8) {
    CopyTwoWords<std::uint64_t>(dst, src, n);
  } else if (n >= 4) {
    CopyTwoWords<std::uint32_t>(dst, src, n);
  } else if (n >= 2) {
    CopyTwoWords<std::uint16_t>(dst, src, n);
  } else if (n == 1) {
    *dst = *src;
  }
}

}  // namespace cdc
