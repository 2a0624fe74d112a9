#pragma once

#include <string>
#include <string_view>

namespace cdc {

// Appends the standard base64 encoding (RFC 4648 §4, with `=` padding, no line breaks) of
// `bytes` to `out`. This is how binary/blob column values go into documents: Elasticsearch's
// `binary` type expects exactly this alphabet. Thread-safe (no shared state).
void AppendBase64(std::string_view bytes, std::string* out);

// Length of the base64 text for `n` input bytes.
constexpr std::size_t Base64Length(std::size_t n) { return (n + 2) / 3 * 4; }

}  // namespace cdc
