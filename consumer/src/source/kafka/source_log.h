#pragma once

#include <functional>
#include <string_view>

namespace cdc::kafka {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// How the Kafka module logs: the pipeline hands in a function that writes to its spdlog logger,
// so this module needs no logging library and tests can capture lines. Must be thread-safe:
// librdkafka logs from its own threads. Messages never carry row values or secrets.
using LogFn = std::function<void(LogLevel, std::string_view)>;

// Maps a librdkafka syslog level to ours. CONFWARN lines (a consumer-only -X property given to
// the dead-letter producer, which shares the -X list, and the reverse) are expected: debug.
inline LogLevel LibrdkafkaLogLevel(int syslog_level, std::string_view facility) {
  if (facility == "CONFWARN") return LogLevel::kDebug;
  if (syslog_level <= 3) return LogLevel::kError;
  if (syslog_level <= 5) return LogLevel::kWarn;
  return syslog_level == 6 ? LogLevel::kInfo : LogLevel::kDebug;
}

}  // namespace cdc::kafka
