#include "decode/column_types.h"

#include <array>

namespace cdc {

bool IsBinaryMysqlType(std::string_view mysql_type) {
  static constexpr std::array<std::string_view, 6> kBinaryTypes = {
      "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"};
  const std::size_t end = mysql_type.find_first_of("( ");
  const std::string_view base = mysql_type.substr(0, end);
  for (const std::string_view candidate : kBinaryTypes) {
    if (candidate.size() != base.size()) continue;
    bool equal = true;
    for (std::size_t i = 0; i < base.size() && equal; ++i) {
      char c = base[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      equal = c == candidate[i];
    }
    if (equal) return true;
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
