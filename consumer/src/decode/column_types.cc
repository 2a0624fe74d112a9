#include "decode/column_types.h"

#include <cstdint>
#include <cstring>

namespace cdc {

namespace {

std::uint32_t Word4(const char* text) {
  std::uint32_t word;
  std::memcpy(&word, text, sizeof word);
  return word;
}

}  // namespace

bool IsBinaryMysqlType(std::string_view mysql_type) {
  // Runs for every column of every message. Most types (int, varchar, datetime, ...) are turned
  // away by their first four letters, lowercased at once (OR 0x20 maps only 'A'-'Z' and 'a'-'z'
  // onto 'a'-'z'), before any scan. The rest: find the base type's length (at most 10 bytes for
  // a candidate), pick the candidates of that length, compare without case.
  if (mysql_type.size() < 4) return false;
  const std::uint32_t head = Word4(mysql_type.data()) | 0x20202020U;
  if (head != Word4("blob") && head != Word4("bina") && head != Word4("tiny") &&
      head != Word4("long") && head != Word4("varb") && head != Word4("medi")) {
    return false;
  }
  std::size_t n = 0;
  while (n < mysql_type.size() && mysql_type[n] != '(' && mysql_type[n] != ' ') {
    if (++n > 10) return false;
  }
  const std::string_view base = mysql_type.substr(0, n);
  auto equals = [&](std::string_view candidate) {
    for (std::size_t i = 0; i < n; ++i) {
      char c = base[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != candidate[i]) return false;
    }
    return true;
  };
  switch (n) {
    case 4:
      return equals("blob");
    case 6:
      return equals("binary");
    case 8:
      return equals("tinyblob") || equals("longblob");
    case 9:
      return equals("varbinary");
    case 10:
      return equals("mediumblob");
    default:
      return false;
  }
}

std::optional<std::size_t> Latin1ToBytes(std::string_view utf8, char* out) {
  char* dst = out;
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
      return std::nullopt;
    }
  }
  return static_cast<std::size_t>(dst - out);
}

}  // namespace cdc
