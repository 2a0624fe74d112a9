#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cdc::es {

// The bulk action of one request position ("create" is the only one the sink sends; the others
// exist so that the classifier can read any bulk response, e.g. a 404 on delete).
enum class BulkOp : std::uint8_t { kIndex, kCreate, kUpdate, kDelete };
std::string_view BulkOpName(BulkOp op);

// What the request asked for at one position; the response must be about exactly that.
struct BulkItemRef {
  BulkOp op = BulkOp::kCreate;
  std::string_view id;
};

enum class ItemOutcome : std::uint8_t {
  kCreated,   // 2xx: written now
  kConflict,  // 409 on create: the id exists, an earlier attempt wrote it (ids are deterministic)
  kNotFound,  // 404 on delete: already gone
  kRetry,     // 429, 408, 5xx, *rejected_execution_exception, 409 on a non-create: retry alone
  kBlocked,   // 401/403, cluster_block_exception, index_not_found_exception: long backoff
  kReject,    // any other 4xx: the document itself is bad; dead-letter it
};

// True for the outcomes that acknowledge a record as delivered.
constexpr bool IsDelivered(ItemOutcome o) {
  return o == ItemOutcome::kCreated || o == ItemOutcome::kConflict || o == ItemOutcome::kNotFound;
}
std::string_view ItemOutcomeName(ItemOutcome o);

struct ItemVerdict {
  ItemOutcome outcome = ItemOutcome::kRetry;
  int status = 0;
  std::string reason;  // kReject only: "es_<status>:<error type>", never the server's reason text
};

enum class RequestOutcome : std::uint8_t {
  kItems,       // 2xx with a well-formed positional response: see `items`
  kMalformed,   // 2xx but unusable: not JSON, truncated, wrong item count, op/_id mismatch
  kRetry,       // 429, 408, 5xx: retry the whole request with backoff
  kTooLarge,    // 413, or a 429 for a request larger than the node's indexing-pressure limit
  kBadRequest,  // 400: the request cannot be parsed; split to find the bad document
  kBlocked,     // 401, 403, any other status: retry with a long backoff, sink unhealthy
};
std::string_view RequestOutcomeName(RequestOutcome o);

struct BulkVerdict {
  RequestOutcome outcome = RequestOutcome::kMalformed;
  std::vector<ItemVerdict> items;  // kItems: one per request position, in request order
  std::string reason;              // kTooLarge/kBadRequest: "es_<status>:<type>"; else diagnostic
};

// Classifies one bulk response. Pure, no I/O, safe on arbitrary bytes (fuzzed). Nothing is
// reported delivered unless the body is valid JSON whose `items` array has exactly
// request.size() entries and the entry at that position is about the same op (and the same
// `_id`, when the server echoes it) with status 2xx (or 409 on create, 404 on delete).
BulkVerdict ClassifyBulkResponse(int http_status, std::string_view body,
                                 std::span<const BulkItemRef> request);

// "es_<status>:<type>", the type reduced to [a-z0-9_.] and 64 bytes so that it is a safe,
// bounded metric label and DLQ header whatever the server sent.
std::string ErrorReason(int status, std::string_view error_type);

// The `error.type` of a whole-request error body ({"error":{"type":..}}), or "" if none.
std::string WholeRequestErrorType(std::string_view body);

}  // namespace cdc::es
