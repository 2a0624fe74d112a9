#include "local/events_api.h"

#include <charconv>
#include <set>

#include "sink/sqlite/json_text.h"

namespace cdc {
namespace {

ApiResponse Error(int status, std::string_view message) {
  ApiResponse r;
  r.status = status;
  r.body = "{\"error\":" + JsonString(message) + "}";
  return r;
}

// The one value of `name`, or an error when it is repeated; "" when absent.
Result<std::string> Single(const QueryParams& params, const std::string& name) {
  const auto [first, last] = params.equal_range(name);
  if (first == last) return std::string();
  if (std::next(first) != last) {
    return Err(Status::InvalidInput("parameter '" + name + "' is given more than once"));
  }
  if (first->second.size() > kMaxSearchBytes) {
    return Err(Status::InvalidInput("parameter '" + name + "' is longer than 256 bytes"));
  }
  if (!IsValidUtf8(first->second)) {
    return Err(Status::InvalidInput("parameter '" + name + "' is not valid UTF-8"));
  }
  return first->second;
}

Status CheckKnown(const QueryParams& params, const std::set<std::string>& known) {
  for (const auto& [name, value] : params) {
    // Names are not echoed: they are caller text too.
    if (known.count(name) == 0) return Status::InvalidInput("unknown query parameter");
  }
  return Status::Ok();
}

}  // namespace

ApiResponse HandleEventsRequest(EventQueryBackend& backend, const QueryParams& params) {
  if (auto st = CheckKnown(params, {"q", "table", "database", "op", "limit"}); !st.ok()) {
    return Error(400, st.message() + " (allowed: q, table, database, op, limit)");
  }
  EventQuery query;
  for (auto [name, field] : {std::pair{"q", &query.q}, std::pair{"table", &query.table},
                             std::pair{"database", &query.database}, std::pair{"op", &query.op}}) {
    auto value = Single(params, name);
    if (!value) return Error(400, value.error().message());
    *field = std::move(*value);
  }
  if (!query.op.empty() && query.op != "insert" && query.op != "update" && query.op != "delete" &&
      query.op != "ddl") {
    return Error(400, "op must be one of insert, update, delete, ddl");
  }
  auto limit = Single(params, "limit");
  if (!limit) return Error(400, limit.error().message());
  query.limit = kDefaultEventsLimit;
  if (!limit->empty()) {
    int n = 0;
    const char* end = limit->data() + limit->size();
    const auto [ptr, ec] = std::from_chars(limit->data(), end, n);
    if (ec != std::errc() || ptr != end || n < 1 || n > kMaxEventsLimit) {
      return Error(400, "limit must be an integer from 1 to 500");
    }
    query.limit = n;
  }
  auto json = backend.QueryEvents(query);
  // The store's message names the SQLite error only; still, keep details in the server log.
  if (!json) return Error(503, "the event store cannot be read right now");
  ApiResponse r;
  r.body = std::move(*json);
  return r;
}

ApiResponse HandleCountsRequest(EventQueryBackend& backend, const QueryParams& params) {
  if (!params.empty()) return Error(400, "/api/counts takes no parameters");
  auto counts = backend.CountEvents();
  if (!counts) return Error(503, "the event store cannot be read right now");
  ApiResponse r;
  r.body = "{\"counts\":[";
  std::int64_t total = 0;
  for (std::size_t i = 0; i < counts->size(); ++i) {
    const EventCount& c = (*counts)[i];
    if (i > 0) r.body += ',';
    r.body += "{\"database\":" + JsonString(c.database) + ",\"table\":" + JsonString(c.table) +
              ",\"op\":" + JsonString(c.op) + ",\"count\":" + std::to_string(c.count) + "}";
    total += c.count;
  }
  r.body += "],\"total\":" + std::to_string(total) + "}";
  return r;
}

}  // namespace cdc
