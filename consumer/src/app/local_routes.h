#pragma once

#include <memory>

#include "core/status.h"
#include "http/http_server.h"
#include "local/events_api.h"

namespace cdc {

// Registers the built-in UI ("/", "/ui.js", "/ui.css") and its API ("/api/events",
// "/api/counts") on `server`, answering queries from `backend`. Call before server.Start(), on
// the main thread; the handlers then run on HTTP worker threads (the backend is thread-safe).
Status RegisterLocalRoutes(HttpServer& server, std::shared_ptr<EventQueryBackend> backend);

// The local mode's security headers (CSP, nosniff, ...) for HttpServerOptions::default_headers.
std::vector<std::pair<std::string, std::string>> LocalSecurityHeaders();

}  // namespace cdc
