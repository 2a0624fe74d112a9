#pragma once

// Internal to the fake Elasticsearch (fake_elasticsearch.cc, fake_es_bulk.cc): its shared state
// and JSON helpers. Tests use fake_elasticsearch.h.

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "fakes/fake_elasticsearch.h"

namespace cdc::testing {

// The Content-Type of every JSON answer, as Elasticsearch 7 sends it. With the parameter,
// cpp-httplib (which compresses exactly "application/json" at Brotli quality 11 whenever the
// client offers br, as libcurl does) leaves the answers uncompressed: compressing them cost the
// test processes most of their CPU.
inline constexpr const char* kJsonContentType = "application/json; charset=UTF-8";

// Everything the request handlers share. One mutex guards all of it; handlers never hold it
// while they wait (latency, delayed answers), and Pause() wakes up at shutdown.
struct FakeElasticsearch::State {
  struct IdFault {
    int status = 0;
    std::string type;
    int remaining = -1;
  };

  FakeFlavor flavor = FakeFlavor::kElasticsearch;
  std::string version;

  mutable std::mutex mu;
  std::condition_variable cv;
  bool shutting_down = false;

  std::map<std::string, IdFault> id_faults;
  int fail_next_items = 0;
  int fail_next_items_status = 0;
  std::string fail_next_items_type;
  double random_item_fraction = 0;
  int random_item_status = 0;
  std::string random_item_type;
  std::mt19937_64 item_rng{1};
  int fail_next_requests = 0;
  int fail_next_requests_status = 0;
  double random_request_fraction = 0;
  int random_request_status = 0;
  std::mt19937_64 request_rng{1};
  std::size_t max_content_length = 0;
  int malform_count = 0;
  Malformation malform_kind = Malformation::kTruncated;
  int connection_fault_count = 0;
  ConnectionFault connection_fault = ConnectionFault::kDropAfterApply;
  std::chrono::milliseconds fault_delay{0};
  std::chrono::milliseconds latency{0};
  std::string required_auth;

  std::map<std::pair<std::string, std::string>, std::string> docs;  // (index, id) -> source
  std::map<std::string, std::string> templates;
  std::map<std::string, std::int64_t> items_received;
  std::int64_t bulk_requests = 0;
  std::int64_t injected_item_failures = 0;
  std::int64_t gzipped_bulk_requests = 0;
  std::int64_t template_puts = 0;
  std::int64_t seq_no = 0;
  std::int64_t auto_ids = 0;
  std::string last_authorization;
  std::string last_bulk_target;
  std::string last_bulk_body;

  // Waits `d`, or less if the fake shuts down. Call without holding `mu`.
  void Pause(std::chrono::milliseconds d) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, d, [&] { return shutting_down; });
  }
};

std::string JsonEscape(std::string_view s);
// The exception type the flavor uses for `status` when a test did not name one.
std::string DefaultErrorType(FakeFlavor flavor, int status);
// {"error":{"root_cause":[..],"type":..,"reason":..},"status":N}
std::string ErrorBody(int status, std::string_view type, std::string_view reason);
// Sets `res` to a whole-request error as the flavor sends it (413: no body at all).
void SetWholeRequestError(FakeFlavor flavor, int status, httplib::Response& res);

// POST /_bulk and POST /{index}/_bulk.
void HandleBulk(FakeElasticsearch::State& state, const httplib::Request& req,
                httplib::Response& res, const std::string& path_index);

}  // namespace cdc::testing
