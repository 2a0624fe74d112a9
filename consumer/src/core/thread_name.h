#pragma once

#include <string_view>

namespace cdc {

// Names the calling thread as `top -H`, `ps -L`, perf and debuggers show it. Linux keeps at most
// 15 bytes; a longer name is cut there.
void SetCurrentThreadName(std::string_view name);

}  // namespace cdc
