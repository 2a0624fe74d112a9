#pragma once

#include <functional>
#include <string_view>

namespace cdc::kafka {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// How the Kafka module logs: the pipeline hands in a function that writes to its spdlog logger,
// so this module needs no logging library and tests can capture lines. Must be thread-safe:
// librdkafka logs from its own threads. Messages never carry row values or secrets.
using LogFn = std::function<void(LogLevel, std::string_view)>;

}  // namespace cdc::kafka
