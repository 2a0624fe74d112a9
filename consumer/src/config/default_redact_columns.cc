#include "config/default_redact_columns.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "transform/redactor.h"

namespace cdc {

std::string DefaultRedactColumns() {
  return fmt::format("{}", fmt::join(Redactor::DefaultPatterns(), ","));
}

}  // namespace cdc
