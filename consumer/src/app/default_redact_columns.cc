#include "app/default_redact_columns.h"

#include <fmt/format.h>

// TODO(app): drop the fallback once transform/redactor.h has landed in the tree.
#if __has_include("transform/redactor.h")
#include "transform/redactor.h"
#define CDC_HAVE_REDACTOR 1
#endif

namespace cdc {

std::string DefaultRedactColumns() {
#ifdef CDC_HAVE_REDACTOR
  return fmt::format("{}", fmt::join(Redactor::DefaultPatterns(), ","));
#else
  return "";
#endif
}

}  // namespace cdc
