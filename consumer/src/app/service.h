#pragma once

#include "config/config.h"

namespace cdc {

// `cdc-consumer run` once the configuration is loaded: builds the metrics, the sink (the
// Elasticsearch sink when es-url is set, else the embedded SQLite store), the pipeline, the
// HTTP server and the signal watcher, runs until SIGTERM/SIGINT or a failure, and shuts down
// within shutdown-timeout. Returns the exit status: 0 after a clean stop, 1 on a runtime failure,
// 2 when a component rejects its configuration at startup. Call from the main thread before any
// other thread exists (it blocks SIGTERM/SIGINT for its signal thread first).
int RunService(const Config& config);

}  // namespace cdc
