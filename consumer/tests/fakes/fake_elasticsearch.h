#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace cdc::testing {

enum class FakeFlavor { kElasticsearch, kOpenSearch };

// Ways to spoil an otherwise correct bulk response (the request is applied first).
enum class Malformation {
  kTruncated,   // the JSON cut in half
  kNotJson,     // an HTML proxy page with status 200
  kEmptyBody,   // 200 with no body
  kFewerItems,  // the last item missing
  kMoreItems,   // the last item twice
  kWrongId,     // the first item's _id not the one sent
};

// Ways to lose the answer to an applied bulk request.
enum class ConnectionFault {
  kDropAfterApply,   // headers sent, then the connection closes mid-body
  kDelayAfterApply,  // the answer comes after `delay` (set it past the client's timeout)
};

struct FakeElasticsearchOptions {
  FakeFlavor flavor = FakeFlavor::kElasticsearch;
  std::string version;    // GET / version.number; default 8.19.0 (ES) or 2.13.0 (OpenSearch)
  std::string cert_file;  // both set: serve HTTPS with this PEM certificate and key
  std::string key_file;
};

// An in-process Elasticsearch (or OpenSearch) on 127.0.0.1, port 0, for tests. It follows the
// bulk contract of ../shared/elasticsearch/BULK-CONTRACT.md: NDJSON with a required final
// newline, action validation before anything is applied, `create` semantics (409 when the id
// exists), per-item statuses in request order, gzip request bodies, unknown query parameters
// refused, and `X-Elastic-Product: Elasticsearch` on every response (absent in OpenSearch mode,
// which says `distribution: opensearch` and refuses `flattened`). It is a FAKE: no mappings are
// applied (injected faults stand in for mapping errors), `update` is not implemented, one shard.
// Every method is thread-safe; faults can be changed while requests are in flight.
class FakeElasticsearch {
 public:
  explicit FakeElasticsearch(FakeElasticsearchOptions options = {});
  ~FakeElasticsearch();
  FakeElasticsearch(const FakeElasticsearch&) = delete;
  FakeElasticsearch& operator=(const FakeElasticsearch&) = delete;

  Status Start();
  void Stop();
  std::string url() const;  // http(s)://127.0.0.1:PORT
  int port() const;

  // --- Per-item faults, checked in this order; a failed item is not applied. ---
  // Items with this id fail with `status` (forever when times < 0).
  void FailItemsWithId(const std::string& id, int status, std::string type = {}, int times = -1);
  // The next `count` items (across requests) fail.
  void FailNextItems(int count, int status, std::string type = {});
  // Each item fails with probability `fraction` (deterministic for a seed).
  void FailRandomItems(double fraction, int status, std::uint64_t seed, std::string type = {});

  // --- Whole-request faults. ---
  // The next `count` bulk requests get `status` with an Elasticsearch-style error body (413: an
  // empty body, as the real server sends), and are not applied.
  void FailNextRequests(int count, int status);
  void FailRandomRequests(double fraction, int status, std::uint64_t seed);
  // Bulk bodies longer than this on the wire (before gunzip) get 413 with no body; 0 = no limit.
  void SetMaxContentLength(std::size_t bytes);
  void MalformNextResponses(int count, Malformation kind);
  void FaultNextResponses(int count, ConnectionFault fault,
                          std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  // Stops listening (connections refused) or listens again on the same port.
  Status SetDown(bool down);
  void SetLatency(std::chrono::milliseconds latency);  // before every bulk answer
  // Requests whose Authorization header differs get 401 security_exception.
  void RequireAuthorization(std::string header_value);
  void ClearFaults();

  // --- Observations. ---
  std::int64_t bulk_requests() const;                       // that reached the bulk handler
  std::int64_t gzipped_bulk_requests() const;               // of which had Content-Encoding: gzip
  std::int64_t injected_item_failures() const;              // per-item faults answered
  std::int64_t ItemsReceived(const std::string& id) const;  // valid requests that carried it
  std::map<std::string, std::int64_t> ItemsReceivedById() const;
  std::size_t DocumentCount() const;
  std::optional<std::string> Document(const std::string& index, const std::string& id) const;
  std::vector<std::string> DocumentIds() const;
  std::int64_t template_puts() const;
  std::optional<std::string> Template(const std::string& name) const;
  void SetTemplate(const std::string& name, const std::string& body);
  std::string last_authorization() const;
  std::string last_bulk_target() const;  // path and query of the last bulk request
  std::string last_bulk_body() const;    // after gunzip

  struct State;  // shared with the request handlers (fake_elasticsearch.cc, fake_es_bulk.cc)

 private:
  Status Listen(int port);
  void StopServer();

  FakeElasticsearchOptions options_;
  std::shared_ptr<State> state_;
  struct Server;
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

}  // namespace cdc::testing
