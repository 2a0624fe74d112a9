#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace cdc {

inline constexpr std::size_t kRfc3339MillisLength = 24;

// Formats `ms` (milliseconds since the Unix epoch, UTC) as RFC 3339 with milliseconds,
// e.g. "2023-08-27T10:15:30.123Z". Values outside 0000-01-01 .. 9999-12-31T23:59:59.999 are
// clamped to those bounds, since RFC 3339 (and Elasticsearch's default date format) only has
// four-digit years; the decoder already rejects such `es` values. Thread-safe.
std::array<char, kRfc3339MillisLength> FormatRfc3339Millis(std::int64_t ms);

// FormatRfc3339Millis for a stream of times that mostly share their second (a busy table's
// events): only the milliseconds are rewritten while the second stays the same. Not
// thread-safe: one per shaper.
class Rfc3339MillisFormatter {
 public:
  // The text for `ms`, valid until the next call.
  std::string_view Format(std::int64_t ms);

 private:
  std::int64_t second_ = INT64_MIN;  // floor(ms / 1000) of `text_`, after clamping
  std::array<char, kRfc3339MillisLength> text_{};
};

}  // namespace cdc
