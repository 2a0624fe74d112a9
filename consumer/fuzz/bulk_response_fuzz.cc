// libFuzzer target for the bulk response classifier (sink/elasticsearch/bulk_response.h).
// Input: byte 0 = the request's item count (0..15), byte 1 = the HTTP status (index into
// kStatuses), byte 2 = the actions (0 all create, 1 all delete, 2 all index, 3 all update,
// else create with a delete at every fifth position), the rest = the response body. Position i
// has id "id-<i>".
//
// Invariant checked on every input (besides the sanitizers): the classifier never reports an
// item delivered unless an independent reading of the same bytes (simdjson DOM + JSON pointer,
// first-key semantics) finds, at that position of an `items` array of exactly the request's
// length, a one-key object naming the same op, with an integer status that means success for it
// (2xx; 409 for create; 404 for delete) and no `_id` other than the one sent. Also: no verdict
// of items for a non-2xx status, one verdict per position, reasons restricted to [a-z0-9_.:].
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sink/elasticsearch/bulk_response.h"

namespace {

using cdc::es::BulkItemRef;
using cdc::es::BulkOp;
using cdc::es::ItemOutcome;

constexpr int kStatuses[] = {200, 201, 400, 401, 403, 404, 408, 413, 429, 500, 502, 503};

[[noreturn]] void Fail(const char* what, std::size_t i) {
  std::fprintf(stderr, "invariant broken: %s at item %zu\n", what, i);
  std::abort();
}

bool OracleSaysSuccess(std::string_view body, std::size_t n, std::size_t i,
                       const BulkItemRef& ref) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array items;
  if (parser.parse(body.data(), body.size()).get(root)) return false;
  if (root["items"].get_array().get(items) || items.size() != n) return false;
  simdjson::dom::object entry;
  if (items.at(i).get_object().get(entry) || entry.size() != 1) return false;
  const auto op = std::string(cdc::es::BulkOpName(ref.op));
  std::int64_t status = 0;
  if (entry.at_key(op)["status"].get_int64().get(status)) return false;
  std::string_view id;
  if (entry.at_key(op)["_id"].get_string().get(id) == simdjson::SUCCESS && id != ref.id) {
    return false;
  }
  if (status >= 200 && status < 300) return true;
  if (ref.op == BulkOp::kCreate && status == 409) return true;
  return ref.op == BulkOp::kDelete && status == 404;
}

BulkOp OpAt(std::uint8_t mode, std::size_t i) {
  switch (mode) {
    case 0:
      return BulkOp::kCreate;
    case 1:
      return BulkOp::kDelete;
    case 2:
      return BulkOp::kIndex;
    case 3:
      return BulkOp::kUpdate;
    default:
      return i % 5 == 4 ? BulkOp::kDelete : BulkOp::kCreate;
  }
}

bool CleanReason(const std::string& reason) {
  for (const char c : reason) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t n = data[0] % 16;
  const int http = kStatuses[data[1] % (sizeof(kStatuses) / sizeof(kStatuses[0]))];
  const std::uint8_t mode = data[2];
  const std::string_view body(reinterpret_cast<const char*>(data + 3), size - 3);
  std::vector<std::string> ids;
  std::vector<BulkItemRef> request;
  for (std::size_t i = 0; i < n; ++i) ids.push_back("id-" + std::to_string(i));
  for (std::size_t i = 0; i < n; ++i) request.push_back({OpAt(mode, i), ids[i]});
  const cdc::es::BulkVerdict v = cdc::es::ClassifyBulkResponse(http, body, request);
  if (v.outcome != cdc::es::RequestOutcome::kItems) {
    if (!v.items.empty()) Fail("items reported with a request-level verdict", 0);
    return 0;
  }
  if (http < 200 || http >= 300) Fail("item verdicts for a non-2xx status", 0);
  if (v.items.size() != n) Fail("verdict count differs from request count", v.items.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (cdc::es::IsDelivered(v.items[i].outcome) && !OracleSaysSuccess(body, n, i, request[i])) {
      Fail("delivered without a positional success", i);
    }
    if (v.items[i].outcome == ItemOutcome::kReject && !CleanReason(v.items[i].reason)) {
      Fail("reason with unexpected characters", i);
    }
  }
  return 0;
}
