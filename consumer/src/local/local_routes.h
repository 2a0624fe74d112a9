#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "local/events_api.h"

namespace cdc {

// One GET route of the local mode, for the consumer's HTTP server to register.
struct LocalRoute {
  std::string path;
  std::function<ApiResponse(const QueryParams&)> handler;
};

// The built-in UI and its API: "/", "/ui.js", "/ui.css", "/api/events", "/api/counts". Every
// response carries SecurityHeaders() (strict CSP, nosniff, no framing, no referrer); API
// answers also carry Cache-Control: no-store. The handlers share `backend` and are safe to call
// from several HTTP worker threads at once.
//
// Wiring in the app (HttpServer::Handle before Start):
//   for (auto& route : MakeLocalRoutes(backend))
//     server.Handle(route.path, [h = route.handler](const HttpRequest& req) {
//       ApiResponse a = h(req.params);
//       return HttpResponse{a.status, a.content_type, std::move(a.body), std::move(a.headers)};
//     });
std::vector<LocalRoute> MakeLocalRoutes(std::shared_ptr<EventQueryBackend> backend);

}  // namespace cdc
