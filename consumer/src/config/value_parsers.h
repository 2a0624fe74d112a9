#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cdc {

// Parsers for the text form of configuration values. The same text comes from the YAML file,
// the environment and flags, so one parser per type keeps them consistent. Errors name the
// expected form but never echo the input (the caller decides whether the value may be shown:
// secrets may not). Pure functions, callable from any thread.

// "250ms", "30s", "5m", "1h", "7d", combinations like "1m30s". A bare number is rejected: a
// duration without a unit is ambiguous.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// "1048576", "512KiB", "64MiB", "1GiB" (powers of 1024) or "10KB", "10MB", "1GB" (powers of 1000).
Result<std::uint64_t> ParseSize(std::string_view text);
// true/false, yes/no, on/off, 1/0 (case-insensitive).
Result<bool> ParseBool(std::string_view text);
// A decimal integer (optional sign), no trailing text.
Result<std::int64_t> ParseInt(std::string_view text);
// A comma-separated list; items are trimmed and empty items dropped, so "" is the empty list.
std::vector<std::string> SplitList(std::string_view text);

// "host:port" or "[v6addr]:port"; port 0..65535 (0 = any free port).
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};
Result<HostPort> ParseHostPort(std::string_view text);

// Checks for a base URL `http://host[:port]` or `https://...` (a trailing "/" is fine; no path),
// without user info (credentials belong in es-user/es-password, where they are masked).
Status CheckHttpUrl(std::string_view text);
// Kafka topic or group name: 1..249 characters of [A-Za-z0-9._-].
Status CheckKafkaName(std::string_view text);
// Elasticsearch index name as the sink accepts it: lowercase letters, digits, - _ . +; not
// starting with - _ +; not "." or ".."; 1 to 200 bytes.
Status CheckIndexName(std::string_view text);
// Kafka bootstrap list: comma-separated host[:port] entries without spaces.
Status CheckBrokerList(std::string_view text);
// One of trace, debug, info, warn, error, critical, off.
Status CheckLogLevel(std::string_view text);

// Text forms used by --help, the reference and the config dump, chosen so they parse back.
std::string FormatDuration(std::chrono::milliseconds value);
std::string FormatSize(std::uint64_t bytes);

// Trims ASCII whitespace at both ends.
std::string_view TrimSpace(std::string_view text);

}  // namespace cdc
