#include "decode/column_types.h"

#include <array>

namespace cdc {

bool IsBinaryMysqlType(std::string_view mysql_type) {
  static constexpr std::array<std::string_view, 6> kBinaryTypes = {
      "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"};
  // Runs for every column of every message: lower-case the base type into a small buffer and
  // give up as soon as it cannot be one of the names (at most 10 bytes).
  char base[10];
  std::size_t n = 0;
  for (const char c : mysql_type) {
    if (c == '(' || c == ' ') break;
    if (n == sizeof(base)) return false;
    base[n++] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view name(base, n);
  for (const std::string_view candidate : kBinaryTypes) {
    if (candidate == name) return true;
  }
  return false;
}

bool AppendLatin1Bytes(std::string_view utf8, std::string* out) {
  const std::size_t start = out->size();
  out->resize(start + utf8.size());  // never grows: one byte out per one or two bytes in
  char* dst = out->data() + start;
  const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  const auto* const end = p + utf8.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      *dst++ = static_cast<char>(c);
      ++p;
    } else if ((c == 0xC2 || c == 0xC3) && end - p >= 2 && (p[1] & 0xC0) == 0x80) {
      *dst++ = static_cast<char>(((c & 0x03) << 6) | (p[1] & 0x3F));
      p += 2;
    } else {
      out->resize(start);
      return false;
    }
  }
  out->resize(static_cast<std::size_t>(dst - out->data()));
  return true;
}

}  // namespace cdc
