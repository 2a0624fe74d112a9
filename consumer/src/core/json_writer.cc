#include "core/json_writer.h"

#include <cstring>

namespace cdc {
namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// True when one of the 8 bytes of `word` needs attention: below 0x20, '"', '\\' or >= 0x80.
// Exact for "any byte matches" (the classic has-zero-byte trick), which is all we need to
// decide whether a block can be copied as is.
inline bool BlockNeedsWork(std::uint64_t word) {
  const std::uint64_t control = (word - kOnes * 0x20) & ~word;
  const std::uint64_t quote = (word ^ (kOnes * '"'));
  const std::uint64_t backslash = (word ^ (kOnes * '\\'));
  const std::uint64_t has_quote = (quote - kOnes) & ~quote;
  const std::uint64_t has_backslash = (backslash - kOnes) & ~backslash;
  return ((word | control | has_quote | has_backslash) & kHighBits) != 0;
}

inline bool IsPlainAscii(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

void AppendControlEscape(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    default: {
      const char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out->append(buf, sizeof(buf));
    }
  }
}

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF) starting at `p`, or 0 when it is not well formed.
std::size_t Utf8SequenceLength(const unsigned char* p, std::size_t avail) {
  const unsigned char c = p[0];
  auto cont = [&](std::size_t i) { return i < avail && (p[i] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && p[1] >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;  // overlong
    if (c == 0xF4 && p[1] >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  out->push_back('"');
  while (p < end) {
    const unsigned char* run = p;
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, sizeof(word));
      if (BlockNeedsWork(word)) break;
      p += 8;
    }
    while (p < end && IsPlainAscii(*p)) ++p;
    out->append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    if (p == end) break;
    if (*p < 0x80) {
      AppendControlEscape(*p, out);
      ++p;
      continue;
    }
    const std::size_t len = Utf8SequenceLength(p, static_cast<std::size_t>(end - p));
    if (len == 0) {
      out->append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
      ++p;
    } else {
      out->append(reinterpret_cast<const char*>(p), len);
      p += len;
    }
  }
  out->push_back('"');
}

}  // namespace cdc
