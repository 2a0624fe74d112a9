#include "decode/decode_error.h"

#include <array>

namespace cdc {
namespace {

constexpr std::array<std::string_view, 13> kSlugs = {
    "invalid_json",  "not_object", "wrong_type", "missing_field", "duplicate_key",
    "unknown_type",  "empty_data", "bad_old",    "bad_commit_ts", "bad_watermark_ts",
    "bad_timestamp", "bad_binary", "too_large",
};

constexpr std::size_t kMaxQuotedName = 64;

}  // namespace

std::string_view DecodeErrorName(DecodeError error) {
  return kSlugs[static_cast<std::size_t>(error)];
}

Status MakeDecodeError(DecodeError error, std::string_view detail) {
  std::string message(DecodeErrorName(error));
  message += ": ";
  message += detail;
  return Status::InvalidInput(std::move(message));
}

std::string_view DecodeErrorSlug(const Status& status) {
  if (status.ok()) return "";
  const std::string& message = status.message();
  const std::string_view slug = std::string_view(message).substr(0, message.find(':'));
  for (const std::string_view known : kSlugs) {
    if (known == slug) return known;
  }
  return "other";
}

std::string QuoteName(std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "`";
  for (std::size_t i = 0; i < name.size() && i < kMaxQuotedName; ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c >= 0x20 && c < 0x7F && c != '`' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  if (name.size() > kMaxQuotedName) out += "...";
  out.push_back('`');
  return out;
}

}  // namespace cdc
