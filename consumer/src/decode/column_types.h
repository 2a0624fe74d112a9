#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace cdc {

// Java SQL type code TiCDC gives binary, varbinary and *blob columns (java.sql.Types.BLOB).
inline constexpr int kSqlTypeBlob = 2004;

// True when the base type of a canal `mysqlType` string (the text before the first `(` or
// space, compared without case) is binary, varbinary, tinyblob, blob, mediumblob or longblob.
// A whole-word test on purpose: `set('binary','x')` and `enum('blob')` are not binary, unlike
// TiCDC's own substring check.
bool IsBinaryMysqlType(std::string_view mysql_type);

// TiCDC writes each byte of a binary column as the code point U+0000..U+00FF (ISO-8859-1), so
// the JSON string arrives as UTF-8 text. Writes the original bytes to `out`, which has room for
// utf8.size() bytes (never more are needed), and returns how many it wrote; returns nullopt when
// `utf8` holds a code point above U+00FF (or is not UTF-8 at all).
std::optional<std::size_t> Latin1ToBytes(std::string_view utf8, char* out);

}  // namespace cdc
