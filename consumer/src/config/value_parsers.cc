#include "config/value_parsers.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace cdc {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads the leading unsigned decimal number of `text`; false when there is none or it overflows.
bool TakeNumber(std::string_view& text, std::uint64_t& value) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr == text.data()) return false;
  text.remove_prefix(static_cast<std::size_t>(ptr - text.data()));
  return true;
}

bool MulOverflows(std::uint64_t a, std::uint64_t b) {
  return b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b;
}

}  // namespace

std::string_view TrimSpace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 5> kUnits{
      {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};
  const auto bad = [] {
    return Err(Status::InvalidConfig("must be a duration like 500ms, 30s, 5m, 1h30m or 7d"));
  };
  std::string_view rest = TrimSpace(text);
  if (rest.empty()) return bad();
  std::uint64_t total = 0;
  while (!rest.empty()) {
    std::uint64_t n = 0;
    if (!TakeNumber(rest, n)) return bad();
    std::size_t unit_len = 0;
    while (unit_len < rest.size() && std::isalpha(static_cast<unsigned char>(rest[unit_len]))) {
      ++unit_len;
    }
    const std::string unit = Lower(rest.substr(0, unit_len));
    rest.remove_prefix(unit_len);
    const auto it =
        std::find_if(kUnits.begin(), kUnits.end(), [&](const auto& u) { return u.first == unit; });
    if (it == kUnits.end()) return bad();
    constexpr std::uint64_t kMaxMs = 1ULL << 52;  // far beyond any sane timeout; no overflow
    if (MulOverflows(n, it->second) || n * it->second > kMaxMs - total) {
      return Err(Status::InvalidConfig("duration is too large"));
    }
    total += n * it->second;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(total));
}

Result<std::uint64_t> ParseSize(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 8> kUnits{{
      {"", 1},
      {"b", 1},
      {"kb", 1000},
      {"mb", 1000'000},
      {"gb", 1000'000'000},
      {"kib", 1ULL << 10},
      {"mib", 1ULL << 20},
      {"gib", 1ULL << 30},
  }};
  std::string_view rest = TrimSpace(text);
  std::uint64_t n = 0;
  if (!TakeNumber(rest, n)) {
    return Err(Status::InvalidConfig("must be a size like 1048576, 512KiB, 64MiB or 1GiB"));
  }
  const std::string unit = Lower(TrimSpace(rest));
  const auto it =
      std::find_if(kUnits.begin(), kUnits.end(), [&](const auto& u) { return u.first == unit; });
  if (it == kUnits.end()) {
    return Err(Status::InvalidConfig("unknown size unit (use B, KB, MB, GB, KiB, MiB or GiB)"));
  }
  if (MulOverflows(n, it->second)) return Err(Status::InvalidConfig("size is too large"));
  return n * it->second;
}

Result<bool> ParseBool(std::string_view text) {
  const std::string v = Lower(TrimSpace(text));
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  return Err(Status::InvalidConfig("must be true or false"));
}

Result<std::int64_t> ParseInt(std::string_view text) {
  std::string_view v = TrimSpace(text);
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  std::int64_t out = 0;
  const char* end = v.data() + v.size();
  auto [ptr, ec] = std::from_chars(v.data(), end, out);
  if (v.empty() || ec == std::errc::result_out_of_range) {
    return Err(Status::InvalidConfig(v.empty() ? "must be an integer" : "integer is too large"));
  }
  if (ec != std::errc() || ptr != end) return Err(Status::InvalidConfig("must be an integer"));
  return out;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view item = TrimSpace(text.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

Result<HostPort> ParseHostPort(std::string_view text) {
  const auto bad = [] {
    return Err(Status::InvalidConfig("must be host:port, e.g. 127.0.0.1:3000 or [::1]:3000"));
  };
  const std::string_view v = TrimSpace(text);
  const auto colon = v.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host = v.substr(0, colon);
  const std::string_view port_text = v.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad();  // an IPv6 address needs brackets to tell it from the port
  }
  if (host.find_first_of(" \t/[]") != std::string_view::npos) return bad();
  std::uint64_t port = 0;
  std::string_view digits = port_text;
  if (port_text.empty() || !std::all_of(port_text.begin(), port_text.end(), IsDigit) ||
      !TakeNumber(digits, port) || port > 65535) {
    return Err(Status::InvalidConfig("port must be a number from 0 to 65535"));
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

Status CheckHttpUrl(std::string_view text) {
  std::string_view rest;
  if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else if (text.starts_with("https://")) {
    rest = text.substr(8);
  } else {
    return Status::InvalidConfig("must start with http:// or https://");
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidConfig(
        "must not contain credentials; use es-user/es-password or es-api-key");
  }
  if (authority.empty() || authority.front() == ':') {
    return Status::InvalidConfig("must name a host");
  }
  if (text.find_first_of(" \t\r\n") != std::string_view::npos) {
    return Status::InvalidConfig("must not contain whitespace");
  }
  const std::string_view path = rest.substr(authority.size());
  if (!path.empty() && path != "/") {
    return Status::InvalidConfig("must not have a path, query or fragment");
  }
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    const std::string_view port = authority.substr(colon + 1);
    std::uint64_t n = 0;
    std::string_view digits = port;
    if (port.empty() || !std::all_of(port.begin(), port.end(), IsDigit) || !TakeNumber(digits, n) ||
        n == 0 || n > 65535) {
      return Status::InvalidConfig("port must be a number from 1 to 65535");
    }
  }
  return Status::Ok();
}

Status CheckKafkaName(std::string_view text) {
  if (text.empty() || text.size() > 249) {
    return Status::InvalidConfig("must be 1 to 249 characters long");
  }
  const bool legal = std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
  if (!legal) return Status::InvalidConfig("may contain only letters, digits, '.', '_' and '-'");
  return Status::Ok();
}

Status CheckIndexName(std::string_view text) {
  if (text.empty() || text.size() > 200)
    return Status::InvalidConfig("must be 1 to 200 bytes long");
  if (text == "." || text == ".." || text.find_first_of("-_+") == 0) {
    return Status::InvalidConfig("must not be '.' or '..' or start with '-', '_' or '+'");
  }
  const bool legal = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-' || c == '_' || c == '.' || c == '+';
  });
  if (!legal) {
    return Status::InvalidConfig("may contain only lowercase letters, digits, '-', '_', '.', '+'");
  }
  return Status::Ok();
}

Status CheckBrokerList(std::string_view text) {
  if (text.find_first_of(" \t\r\n") != std::string_view::npos) {
    return Status::InvalidConfig("must be host:port entries separated by commas, without spaces");
  }
  if (SplitList(text).empty()) return Status::InvalidConfig("must name at least one broker");
  return Status::Ok();
}

Status CheckLogLevel(std::string_view text) {
  static constexpr std::array<std::string_view, 7> kLevels{"trace", "debug",    "info", "warn",
                                                           "error", "critical", "off"};
  if (std::find(kLevels.begin(), kLevels.end(), text) == kLevels.end()) {
    return Status::InvalidConfig("must be one of trace, debug, info, warn, error, critical, off");
  }
  return Status::Ok();
}

std::string FormatDuration(std::chrono::milliseconds value) {
  const auto ms = value.count();
  if (ms != 0 && ms % 86'400'000 == 0) return fmt::format("{}d", ms / 86'400'000);
  if (ms != 0 && ms % 3'600'000 == 0) return fmt::format("{}h", ms / 3'600'000);
  if (ms != 0 && ms % 60'000 == 0) return fmt::format("{}m", ms / 60'000);
  if (ms != 0 && ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

std::string FormatSize(std::uint64_t bytes) {
  if (bytes != 0 && bytes % (1ULL << 30) == 0) return fmt::format("{}GiB", bytes >> 30);
  if (bytes != 0 && bytes % (1ULL << 20) == 0) return fmt::format("{}MiB", bytes >> 20);
  if (bytes != 0 && bytes % (1ULL << 10) == 0) return fmt::format("{}KiB", bytes >> 10);
  return fmt::format("{}", bytes);
}

}  // namespace cdc
