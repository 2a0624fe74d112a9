#include "sink/elasticsearch/bulk_response.h"

#include <simdjson.h>

#include <charconv>

namespace cdc::es {
namespace {

using simdjson::dom::element;

// One parser per thread: parsers keep their buffers between calls, and each worker thread
// classifies its own responses.
simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

BulkVerdict Malformed(std::string why) {
  BulkVerdict v;
  v.outcome = RequestOutcome::kMalformed;
  v.reason = std::move(why);
  return v;
}

// Case-insensitive suffix match: type names are lower case, but nothing here may depend on it.
bool EndsWith(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  s = s.substr(s.size() - suffix.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = (s[i] >= 'A' && s[i] <= 'Z') ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (c != suffix[i]) return false;
  }
  return true;
}

// Keys on the status first, then on the error type (BULK-CONTRACT.md §4.3). Type names are
// compared by suffix so that Elasticsearch's `es_` prefixes and OpenSearch's bare names match.
ItemVerdict ClassifyItem(BulkOp op, int status, std::string_view type) {
  ItemVerdict v;
  v.status = status;
  if (status >= 200 && status < 300) {
    v.outcome = ItemOutcome::kCreated;
  } else if (status == 409 && op == BulkOp::kCreate) {
    v.outcome = ItemOutcome::kConflict;
  } else if (status == 404 && op == BulkOp::kDelete && type.empty()) {
    v.outcome = ItemOutcome::kNotFound;
  } else if (status == 429 || status == 408 || status >= 500 ||
             EndsWith(type, "rejected_execution_exception")) {
    v.outcome = ItemOutcome::kRetry;
  } else if (status == 401 || status == 403 || EndsWith(type, "cluster_block_exception") ||
             EndsWith(type, "index_not_found_exception")) {
    // The cluster refuses writes (read-only index, flood stage, missing privilege or index):
    // not the document's fault, so it is never dead-lettered.
    v.outcome = ItemOutcome::kBlocked;
  } else if (status == 409) {
    v.outcome = ItemOutcome::kRetry;  // a lost optimistic-concurrency race on index/update
  } else {
    v.outcome = ItemOutcome::kReject;
    v.reason = ErrorReason(status, type);
  }
  return v;
}

// Reads one `items[i]` entry: {"<op>": {"status": N, "_id": "...", "error": {"type": ...}}}.
// Returns an empty string when usable, else why not (no server text in it).
std::string ReadItem(element entry, const BulkItemRef& ref, ItemVerdict* out) {
  simdjson::dom::object wrapper;
  if (entry.get_object().get(wrapper) || wrapper.size() != 1) return "item is not a 1-key object";
  const auto [op_name, body] = *wrapper.begin();
  if (op_name != BulkOpName(ref.op)) return "item op differs from the request";
  simdjson::dom::object fields;
  if (body.get_object().get(fields)) return "item body is not an object";
  bool has_status = false, has_id = false, has_error = false;
  std::int64_t status = 0;
  std::string_view type;
  for (const auto [key, value] : fields) {
    if (key == "status") {
      if (has_status || value.get_int64().get(status)) return "bad item status";
      has_status = true;
    } else if (key == "_id") {
      std::string_view id;
      if (has_id || value.get_string().get(id)) return "bad item _id";
      if (id != ref.id) return "item _id differs from the request";
      has_id = true;
    } else if (key == "error") {
      if (has_error) return "duplicate item error";
      has_error = true;
      simdjson::dom::object error;
      if (value.get_object().get(error) == simdjson::SUCCESS) {
        std::string_view t;
        if (error["type"].get_string().get(t) == simdjson::SUCCESS) type = t;
      }
    }
  }
  if (!has_status || status < 200 || status > 599) return "item status missing or out of range";
  *out = ClassifyItem(ref.op, static_cast<int>(status), type);
  return {};
}

BulkVerdict ClassifyItems(std::string_view body, std::span<const BulkItemRef> request) {
  element root;
  if (ThreadParser().parse(body.data(), body.size()).get(root)) return Malformed("not JSON");
  simdjson::dom::object top;
  if (root.get_object().get(top)) return Malformed("not a JSON object");
  simdjson::dom::array items;
  bool has_items = false;
  for (const auto [key, value] : top) {
    if (key != "items") continue;
    if (has_items) return Malformed("duplicate items");
    if (value.get_array().get(items)) return Malformed("items is not an array");
    has_items = true;
  }
  if (!has_items) return Malformed("no items");
  if (items.size() != request.size()) {
    return Malformed("item count " + std::to_string(items.size()) + " != request count " +
                     std::to_string(request.size()));
  }
  BulkVerdict v;
  v.outcome = RequestOutcome::kItems;
  v.items.resize(request.size());
  std::size_t i = 0;
  for (const element entry : items) {
    std::string why = ReadItem(entry, request[i], &v.items[i]);
    if (!why.empty()) return Malformed(std::move(why) + " at position " + std::to_string(i));
    ++i;
  }
  return v;
}

std::int64_t NumberAfter(std::string_view text, std::string_view label) {
  const auto pos = text.find(label);
  if (pos == std::string_view::npos) return -1;
  const char* begin = text.data() + pos + label.size();
  std::int64_t n = -1;
  if (std::from_chars(begin, text.data() + text.size(), n).ec != std::errc()) return -1;
  return n;
}

// A coordinating-pressure 429 for a request bigger than the node's whole indexing-pressure
// budget will never succeed as is (BULK-CONTRACT.md §4.4): it must be split like a 413.
bool IsOversizeRejection(std::string_view body) {
  element root;
  std::string_view reason;
  if (ThreadParser().parse(body.data(), body.size()).get(root) ||
      root.at_pointer("/error/reason").get_string().get(reason)) {
    return false;
  }
  const std::int64_t op_bytes = NumberAfter(reason, "coordinating_operation_bytes=");
  const std::int64_t max_bytes = NumberAfter(reason, "max_coordinating_and_primary_bytes=");
  return op_bytes > 0 && max_bytes > 0 && op_bytes > max_bytes;
}

}  // namespace

std::string_view BulkOpName(BulkOp op) {
  switch (op) {
    case BulkOp::kIndex:
      return "index";
    case BulkOp::kCreate:
      return "create";
    case BulkOp::kUpdate:
      return "update";
    case BulkOp::kDelete:
      return "delete";
  }
  return "unknown";
}

std::string_view ItemOutcomeName(ItemOutcome o) {
  switch (o) {
    case ItemOutcome::kCreated:
      return "created";
    case ItemOutcome::kConflict:
      return "conflict";
    case ItemOutcome::kNotFound:
      return "not_found";
    case ItemOutcome::kRetry:
      return "retry";
    case ItemOutcome::kBlocked:
      return "blocked";
    case ItemOutcome::kReject:
      return "reject";
  }
  return "unknown";
}

std::string_view RequestOutcomeName(RequestOutcome o) {
  switch (o) {
    case RequestOutcome::kItems:
      return "items";
    case RequestOutcome::kMalformed:
      return "malformed";
    case RequestOutcome::kRetry:
      return "retry";
    case RequestOutcome::kTooLarge:
      return "too_large";
    case RequestOutcome::kBadRequest:
      return "bad_request";
    case RequestOutcome::kBlocked:
      return "blocked";
  }
  return "unknown";
}

std::string ErrorReason(int status, std::string_view error_type) {
  std::string reason = "es_" + std::to_string(status) + ":";
  if (error_type.empty()) return reason + "unknown";
  for (const char c : error_type.substr(0, 64)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    const bool upper = c >= 'A' && c <= 'Z';
    reason += ok ? c : upper ? static_cast<char>(c - 'A' + 'a') : '_';
  }
  return reason;
}

std::string WholeRequestErrorType(std::string_view body) {
  element root;
  std::string_view type;
  if (ThreadParser().parse(body.data(), body.size()).get(root) ||
      root.at_pointer("/error/type").get_string().get(type)) {
    return {};
  }
  return std::string(type);
}

BulkVerdict ClassifyBulkResponse(int http_status, std::string_view body,
                                 std::span<const BulkItemRef> request) {
  if (http_status >= 200 && http_status < 300) return ClassifyItems(body, request);
  BulkVerdict v;
  if (http_status == 413 || (http_status == 429 && IsOversizeRejection(body))) {
    v.outcome = RequestOutcome::kTooLarge;
    v.reason = ErrorReason(413, "request_entity_too_large");
  } else if (http_status == 429 || http_status == 408 ||
             (http_status >= 500 && http_status < 600)) {
    v.outcome = RequestOutcome::kRetry;
  } else if (http_status == 400) {
    v.outcome = RequestOutcome::kBadRequest;
    v.reason = ErrorReason(400, WholeRequestErrorType(body));
  } else {
    v.outcome = RequestOutcome::kBlocked;
  }
  if (v.reason.empty()) v.reason = "http " + std::to_string(http_status);
  return v;
}

}  // namespace cdc::es
