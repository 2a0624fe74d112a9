#pragma once

#include <string>
#include <string_view>

namespace cdc {

// Appends `value` as a JSON string literal, escaped the way easyjson's jwriter does it (the writer
// TiCDC v6.5 uses for canal-json): `"` `\` as \" \\, \n \r \t as such, other bytes below 0x20 and
// the HTML characters < > & as \u00XX (lowercase hex), U+2028/U+2029 as \u2028/\u2029, and each
// byte of invalid UTF-8 as \ufffd. Escaping < > & also means a value can never close a <script>
// element or open a tag if some page ever embeds the JSON. Pure function, any thread.
void AppendJsonString(std::string& out, std::string_view value);

// The same as a new string, for convenience in tests and small builders.
std::string JsonString(std::string_view value);

// True when `value` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view value);

}  // namespace cdc
