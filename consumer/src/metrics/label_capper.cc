#include "metrics/label_capper.h"

#include <algorithm>
#include <cstdint>

namespace cdc {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid (overlong forms,
// surrogates and code points above U+10FFFF are invalid).
std::size_t ValidUtf8Length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<std::uint8_t>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<std::uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

std::string LabelCapper::Sanitize(std::string_view value) {
  std::string out;
  out.reserve(std::min(value.size(), kMaxLabelBytes));
  std::size_t i = 0;
  while (i < value.size()) {
    const std::size_t len = ValidUtf8Length(value, i);
    std::string_view piece = len == 0 ? std::string_view("\xEF\xBF\xBD")  // U+FFFD
                                      : value.substr(i, len);
    if (len == 1 && (static_cast<std::uint8_t>(value[i]) < 0x20 || value[i] == 0x7F)) piece = "?";
    // Stop before a piece that would pass the cap, so no sequence is ever cut in half.
    if (out.size() + piece.size() > kMaxLabelBytes) break;
    out.append(piece);
    i += len == 0 ? 1 : len;
  }
  return out;
}

std::pair<std::string, std::string> LabelCapper::Map(std::string_view database,
                                                     std::string_view table) {
  std::lock_guard<std::mutex> lock(mu_);
  auto key = std::make_pair(std::string(database), std::string(table));
  if (seen_.count(key) != 0 || seen_.size() < max_pairs_) {
    seen_.insert(key);
    return {Sanitize(database), Sanitize(table)};
  }
  return {std::string(kOverflow), std::string(kOverflow)};
}

}  // namespace cdc
