#include "local/local_routes.h"

#include "local/ui_page.h"

namespace cdc {
namespace {

void AddHeaders(ApiResponse& r, bool no_store) {
  for (const HeaderValue& h : SecurityHeaders()) r.headers.emplace_back(h.name, h.value);
  if (no_store) r.headers.emplace_back("Cache-Control", "no-store");
}

}  // namespace

std::vector<LocalRoute> MakeLocalRoutes(std::shared_ptr<EventQueryBackend> backend) {
  std::vector<LocalRoute> routes;
  for (const StaticRoute& page : UiRoutes()) {
    routes.push_back({std::string(page.path), [page](const QueryParams&) {
                        ApiResponse r;
                        r.content_type = std::string(page.content_type);
                        r.body = std::string(page.body);
                        AddHeaders(r, false);
                        return r;
                      }});
  }
  routes.push_back({"/api/events", [backend](const QueryParams& params) {
                      ApiResponse r = HandleEventsRequest(*backend, params);
                      AddHeaders(r, true);
                      return r;
                    }});
  routes.push_back({"/api/counts", [backend](const QueryParams& params) {
                      ApiResponse r = HandleCountsRequest(*backend, params);
                      AddHeaders(r, true);
                      return r;
                    }});
  return routes;
}

}  // namespace cdc
