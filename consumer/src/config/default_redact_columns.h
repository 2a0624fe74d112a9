#pragma once

#include <string>

namespace cdc {

// The redactor's built-in column patterns joined with ",": the default of `redact-columns`.
std::string DefaultRedactColumns();

}  // namespace cdc
