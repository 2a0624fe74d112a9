#include "app/local_routes.h"

#include <string>
#include <utility>

#include "local/ui_page.h"

namespace cdc {
namespace {

HttpResponse FromApi(ApiResponse api) {
  HttpResponse r;
  r.status = api.status;
  r.content_type = std::move(api.content_type);
  r.body = std::move(api.body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> LocalSecurityHeaders() {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const HeaderValue& h : SecurityHeaders()) headers.emplace_back(h.name, h.value);
  return headers;
}

Status RegisterLocalRoutes(HttpServer& server, std::shared_ptr<EventQueryBackend> backend) {
  for (const StaticRoute& route : UiRoutes()) {
    Status s = server.Handle(std::string(route.path), [route](const HttpRequest&) {
      HttpResponse r;
      r.content_type = std::string(route.content_type);
      r.body = std::string(route.body);
      return r;
    });
    if (!s.ok()) return s;
  }
  Status s = server.Handle("/api/events", [backend](const HttpRequest& req) {
    return FromApi(HandleEventsRequest(*backend, req.params));
  });
  if (!s.ok()) return s;
  return server.Handle("/api/counts", [backend](const HttpRequest& req) {
    return FromApi(HandleCountsRequest(*backend, req.params));
  });
}

}  // namespace cdc
