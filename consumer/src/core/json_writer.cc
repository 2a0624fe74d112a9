#include "core/json_writer.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/compile.h>

#include "core/base64.h"

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

constexpr bool IsPlainAscii(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

// IsPlainAscii as a table, for the byte-at-a-time loop over short strings.
constexpr std::array<bool, 256> kPlainAscii = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c)
    table[static_cast<std::size_t>(c)] = IsPlainAscii(static_cast<unsigned char>(c));
  return table;
}();

// Writes the escape for an ASCII byte that needs one; at most 6 bytes.
char* WriteEscape(unsigned char c, char* dst) {
  static constexpr char kHex[] = "0123456789abcdef";
  *dst++ = '\\';
  switch (c) {
    case '"':
      *dst++ = '"';
      break;
    case '\\':
      *dst++ = '\\';
      break;
    case '\b':
      *dst++ = 'b';
      break;
    case '\f':
      *dst++ = 'f';
      break;
    case '\n':
      *dst++ = 'n';
      break;
    case '\r':
      *dst++ = 'r';
      break;
    case '\t':
      *dst++ = 't';
      break;
    default:
      *dst++ = 'u';
      *dst++ = '0';
      *dst++ = '0';
      *dst++ = kHex[c >> 4];
      *dst++ = kHex[c & 0xF];
  }
  return dst;
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
    if (c == 0xF0 && p[1] < 0x90) return 0;   // overlong
    if (c == 0xF4 && p[1] >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// Length of the prefix of [p, end) that needs no escaping: 16 bytes at a time with SSE2 (part
// of the x86-64 baseline), 8 at a time elsewhere. This scan is most of the cost of writing a
// document, since nearly every value needs no escaping at all.
std::size_t PlainPrefix(const unsigned char* p, const unsigned char* end) {
  const unsigned char* const begin = p;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: bytes >= 0x80 are negative, so they count as "below 0x20" too.
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmplt_epi8(v, space));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    if (mask != 0)
      return static_cast<std::size_t>(p - begin) + static_cast<std::size_t>(__builtin_ctz(mask));
    p += 16;
  }
  if (p < end && end - begin >= 16) {
    // The last partial block, read as the final 16 bytes: the bytes it shares with the block
    // before are plain, so the first flagged byte is the first special one.
    p = end - 16;
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmplt_epi8(v, space));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    return static_cast<std::size_t>(p - begin) +
           (mask != 0 ? static_cast<std::size_t>(__builtin_ctz(mask)) : 16);
  }
#endif
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    if (BlockNeedsWork(word)) break;
    p += 8;
  }
  while (p < end && IsPlainAscii(*p)) ++p;
  return static_cast<std::size_t>(p - begin);
}

// Escapes [p, end) into `dst`, which has room for 6 bytes per input byte; returns the new end.
char* EscapeInto(const unsigned char* p, const unsigned char* end, char* dst) {
  while (p < end) {
    const std::size_t plain = PlainPrefix(p, end);
    std::memcpy(dst, p, plain);
    dst += plain;
    p += plain;
    if (p == end) break;
    if (*p < 0x80) {
      dst = WriteEscape(*p++, dst);
    } else if (const std::size_t len = Utf8SequenceLength(p, static_cast<std::size_t>(end - p))) {
      std::memcpy(dst, p, len);
      dst += len;
      p += len;
    } else {
      std::memcpy(dst, "\xEF\xBF\xBD", 3);  // U+FFFD REPLACEMENT CHARACTER
      dst += 3;
      ++p;
    }
  }
  return dst;
}

// Growth slack beyond what a write asks for, so that a document's small writes share a few
// resizes (each zero-fills the new part of the string).
constexpr std::size_t kSlack = 512;
// Text is escaped in chunks so that reserving the 6x worst case stays small for huge values.
constexpr std::size_t kEscapeChunk = 4096;
// Strings up to this size skip the block scan and are copied byte by byte (from 16 bytes on,
// the block scan wins).
constexpr std::size_t kShortString = 15;

}  // namespace

JsonWriter::JsonWriter(std::string* out) : out_(out) {
  pos_ = out_->data() + out_->size();
  end_ = pos_;
}

void JsonWriter::Grow(std::size_t n) {
  const auto used = static_cast<std::size_t>(pos_ - out_->data());
  const std::size_t target = used + n + kSlack;
  if (target > out_->capacity()) out_->reserve(std::max(target, 2 * out_->capacity()));
  out_->resize(target);
  pos_ = out_->data() + used;
  end_ = out_->data() + target;
}

void JsonWriter::WriteString(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  if (text.size() <= kShortString) {
    // Most names and values are short: one reservation, copy while checking each byte.
    Reserve(6 * text.size() + 2);
    char* dst = pos_;  // a local, so that stores through it need not reload pos_
    *dst++ = '"';
    while (p < end && kPlainAscii[*p]) *dst++ = static_cast<char>(*p++);
    if (p < end) dst = EscapeInto(p, end, dst);
    *dst++ = '"';
    pos_ = dst;
    return;
  }
  const std::size_t plain = PlainPrefix(p, end);
  Reserve(plain + 2);
  *pos_++ = '"';
  CopyShortText(pos_, std::string_view(text.data(), plain));
  pos_ += plain;
  p += plain;
  while (p < end) {
    const unsigned char* chunk_end =
        static_cast<std::size_t>(end - p) > kEscapeChunk ? p + kEscapeChunk : end;
    // Never cut a UTF-8 sequence in two: both halves would be invalid and become U+FFFD.
    for (int back = 0; back < 3 && chunk_end < end && (*chunk_end & 0xC0) == 0x80; ++back) {
      --chunk_end;
    }
    Reserve(6 * static_cast<std::size_t>(chunk_end - p) + 1);
    pos_ = EscapeInto(p, chunk_end, pos_);
    p = chunk_end;
  }
  Put('"');
}

// fmt's integer formatting, straight into the buffer: a third fewer instructions than
// std::to_chars for the 13-digit `ts_ms` of every document.
void JsonWriter::Integer(std::int64_t value) {
  BeforeValue();
  Reserve(20);
  pos_ = fmt::format_to(pos_, FMT_COMPILE("{}"), value);
}

void JsonWriter::Integer(std::uint64_t value) {
  BeforeValue();
  Reserve(20);
  pos_ = fmt::format_to(pos_, FMT_COMPILE("{}"), value);
}

void JsonWriter::Base64String(std::string_view bytes) {
  BeforeValue();
  Put('"');
  Finish();  // AppendBase64 appends to the string itself
  AppendBase64(bytes, out_);
  pos_ = end_ = out_->data() + out_->size();
  Put('"');
}

bool IsPlainJsonText(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  return PlainPrefix(p, p + text.size()) == text.size();
}

void AppendJsonString(std::string_view text, std::string* out) {
  if (IsPlainJsonText(text)) {
    // Nearly every id and name: quoted as is, without a writer and its zero-filled growth.
    out->push_back('"');
    out->append(text);
    out->push_back('"');
    return;
  }
  JsonWriter writer(out);
  writer.String(text);
}

}  // namespace cdc
