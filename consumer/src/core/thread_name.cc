#include "core/thread_name.h"

#include <pthread.h>

#include <string>

namespace cdc {

void SetCurrentThreadName(std::string_view name) {
  constexpr std::size_t kMaxLength = 15;  // the kernel's limit, without the terminating NUL
  const std::string cut(name.substr(0, kMaxLength));
  // Failure only means the name stays as it was: nothing to report.
  (void)pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace cdc
