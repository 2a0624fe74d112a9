#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "sink/sqlite/sqlite_event_store.h"

namespace cdc {

// Where /api/events reads from: the embedded store, or (later) Elasticsearch. Implementations
// are called from HTTP handler threads concurrently and must be thread-safe.
class EventQueryBackend {
 public:
  virtual ~EventQueryBackend() = default;
  // A JSON array of documents, newest first (format of SqliteEventStore::QueryJson).
  virtual Result<std::string> QueryEvents(const EventQuery& query) = 0;
  virtual Result<std::vector<EventCount>> CountEvents() = 0;
};

// The embedded store behind the API. Thread-safe (SqliteEventStore serialises its connection).
class SqliteQueryBackend final : public EventQueryBackend {
 public:
  explicit SqliteQueryBackend(std::string path) : store_(std::move(path)) {}
  Result<std::string> QueryEvents(const EventQuery& query) override {
    return store_.QueryJson(query);
  }
  Result<std::vector<EventCount>> CountEvents() override { return store_.Counts(); }

 private:
  SqliteEventStore store_;
};

// An HTTP answer, independent of the server library.
struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
};

// Query parameters as the HTTP server parsed them (cpp-httplib's Params is this type).
using QueryParams = std::multimap<std::string, std::string>;

inline constexpr int kMaxEventsLimit = 500;
inline constexpr int kDefaultEventsLimit = 100;
inline constexpr std::size_t kMaxSearchBytes = 256;

// GET /api/events?q=&table=&database=&op=&limit= : 200 with a JSON array; 400 with
// {"error": "..."} for an unknown or repeated parameter, a limit outside 1..500, an unknown op,
// over-long or invalid UTF-8 text; 503 when the store cannot be read. Errors never echo the
// caller's values. Safe from any thread when `backend` is.
ApiResponse HandleEventsRequest(EventQueryBackend& backend, const QueryParams& params);

// GET /api/counts : {"counts":[{"database","table","op","count"}], "total": N}.
ApiResponse HandleCountsRequest(EventQueryBackend& backend, const QueryParams& params);

}  // namespace cdc
