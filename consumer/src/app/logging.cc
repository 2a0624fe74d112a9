#include "app/logging.h"

#include <algorithm>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace cdc {
namespace {

constexpr const char* kPattern = "ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l component=%n %v";

std::mutex& LoggerMutex() {
  static std::mutex mu;
  return mu;
}

// Applied once, under the mutex, before the first logger exists: the registry then gives every
// logger created later (by us or by spdlog::*_mt helpers elsewhere) the same format.
void InitFormatOnce() {
  static bool done = false;
  if (done) return;
  spdlog::set_formatter(
      std::make_unique<spdlog::pattern_formatter>(kPattern, spdlog::pattern_time_type::utc));
  // spdlog's own default logger writes to stdout, which belongs to command output (decode,
  // config-reference); code that logs through spdlog::info() goes to stderr like the rest.
  auto fallback =
      std::make_shared<spdlog::logger>("cdc", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  spdlog::initialize_logger(fallback);
  spdlog::set_default_logger(fallback);
  done = true;
}

}  // namespace

std::shared_ptr<spdlog::logger> Logger(std::string_view component) {
  std::lock_guard<std::mutex> lock(LoggerMutex());
  InitFormatOnce();
  const std::string name(component);
  if (auto existing = spdlog::get(name)) return existing;
  // stderr_sink_mt shares one console mutex across all loggers, so lines never interleave.
  auto logger =
      std::make_shared<spdlog::logger>(name, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  spdlog::initialize_logger(logger);  // registers it with the process level and format
  return logger;
}

Status SetLogLevel(std::string_view level) {
  const auto parsed = spdlog::level::from_str(std::string(level));
  // from_str maps unknown names to "off"; only "off" itself may mean off.
  if (parsed == spdlog::level::off && level != "off") {
    return Status::InvalidConfig(fmt::format("unknown log level {}", LogValue(level)));
  }
  std::lock_guard<std::mutex> lock(LoggerMutex());
  InitFormatOnce();
  spdlog::set_level(parsed);
  return Status::Ok();
}

std::string LogValue(std::string_view value) {
  const bool plain = !value.empty() && value.find_first_of(" \"=\\") == std::string_view::npos &&
                     std::all_of(value.begin(), value.end(), [](char c) {
                       return static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
                     });
  if (plain) return std::string(value);
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace cdc
