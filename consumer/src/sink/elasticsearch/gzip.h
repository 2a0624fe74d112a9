#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace cdc::es {

// Appends `in` gzip-compressed (RFC 1952, what `Content-Encoding: gzip` means) to `*out`.
// Pure; callable from any thread.
Status GzipCompress(std::string_view in, int level, std::string* out);

}  // namespace cdc::es
