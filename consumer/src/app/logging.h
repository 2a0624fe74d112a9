#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "core/status.h"

namespace cdc {

// Process logging: spdlog, one logger per component, all writing key=value lines to stderr:
//   ts=2024-05-01T12:00:00.123Z level=info component=pipeline msg="started" topic=tidb-cdc
// Messages follow the same convention: a quoted msg first, then key=value context.
// Thread-safe (the loggers and their shared stderr sink are the _mt variants).

// The logger of `component` ("app", "http", "pipeline", ...), created on first use with the
// process level and format. Other modules may equally use spdlog::get(component) after this.
std::shared_ptr<spdlog::logger> Logger(std::string_view component);

// Sets the level of every logger, existing and future ("trace".."off"; see CheckLogLevel).
Status SetLogLevel(std::string_view level);

// A value for key=value context: bare when it is a plain token, else double-quoted with quotes
// and backslashes escaped and control characters shown as \xNN, so one log line stays one line.
std::string LogValue(std::string_view value);

}  // namespace cdc
