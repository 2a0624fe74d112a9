// The fake's bulk endpoint: validation of the whole request first (as Elasticsearch does, so a
// bad request applies nothing), then each action in order, then the faults a test asked for.
#include <simdjson.h>

#include <set>
#include <vector>

#include "fakes/fake_es_state.h"

namespace cdc::testing {
namespace {

struct Action {
  std::string op;
  std::string index;
  std::string id;
  std::string source;  // index/create/update only
  bool has_source = false;
};

struct ItemResult {
  int status = 0;
  std::string result;  // created, deleted, not_found; empty on error
  std::string error_type;
  std::string error_reason;
};

bool KnownParam(const FakeElasticsearch::State& st, const std::string& name) {
  static const std::set<std::string> kCommon = {"refresh",
                                                "pipeline",
                                                "routing",
                                                "timeout",
                                                "wait_for_active_shards",
                                                "require_alias",
                                                "require_data_stream",
                                                "_source",
                                                "_source_includes",
                                                "_source_excludes",
                                                "filter_path",
                                                "error_trace",
                                                "pretty",
                                                "human"};
  if (kCommon.count(name) > 0) return true;
  if (name != "include_source_on_error") return false;
  // Known to Elasticsearch from 8.18 only; OpenSearch never had it.
  if (st.flavor != FakeFlavor::kElasticsearch) return false;
  const int major = std::atoi(st.version.c_str());
  const auto dot = st.version.find('.');
  const int minor = dot == std::string::npos ? 0 : std::atoi(st.version.c_str() + dot + 1);
  return major > 8 || (major == 8 && minor >= 18);
}

// Splits and validates the NDJSON. Returns "" when fine, else the whole-request error reason.
std::string ParseActions(const std::string& body, const std::string& path_index,
                         std::vector<Action>* actions, std::string* error_type) {
  *error_type = "illegal_argument_exception";
  if (body.empty()) {
    *error_type = "action_request_validation_exception";
    return "Validation Failed: 1: no requests added;";
  }
  if (body.back() != '\n') return "The bulk request must be terminated by a newline [\\n]";
  simdjson::dom::parser parser;
  std::size_t pos = 0, line_no = 0;
  auto next_line = [&](std::string* out) {
    const auto end = body.find('\n', pos);
    if (end == std::string::npos) return false;
    *out = body.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    return true;
  };
  std::string line;
  while (next_line(&line)) {
    const std::string where = "Malformed action/metadata line [" + std::to_string(line_no) + "]";
    simdjson::dom::object obj;
    if (parser.parse(line).get_object().get(obj) || obj.size() != 1) {
      return where + ", expected a simple value for field [START_OBJECT]";
    }
    const auto [op, meta_value] = *obj.begin();
    Action a;
    a.op = std::string(op);
    if (a.op != "index" && a.op != "create" && a.op != "update" && a.op != "delete") {
      return where + ", expected one of [create, delete, index, update] but found [" + a.op + "]";
    }
    simdjson::dom::object meta;
    if (meta_value.get_object().get(meta)) return where + ", expected START_OBJECT";
    std::string_view s;
    a.index = meta["_index"].get_string().get(s) == simdjson::SUCCESS ? std::string(s) : path_index;
    if (meta["_id"].get_string().get(s) == simdjson::SUCCESS) a.id = std::string(s);
    if (a.index.empty()) {
      *error_type = "action_request_validation_exception";
      return "Validation Failed: 1: index is missing;";
    }
    if (a.id.size() > 512) {
      *error_type = "action_request_validation_exception";
      return "Validation Failed: 1: id [" + a.id.substr(0, 16) +
             "...] is too long, must be no longer than 512 bytes but was: " +
             std::to_string(a.id.size()) + ";";
    }
    if (a.op != "delete") {
      if (!next_line(&a.source)) return "The bulk request must be terminated by a newline [\\n]";
      a.has_source = true;
    }
    actions->push_back(std::move(a));
  }
  return {};
}

// The injected fault for this item, if any. Caller holds st.mu.
bool PickFault(FakeElasticsearch::State& st, const Action& a, ItemResult* r) {
  auto fail = [&](int status, const std::string& type) {
    ++st.injected_item_failures;
    r->status = status;
    r->error_type = type.empty() ? DefaultErrorType(st.flavor, status) : type;
    return true;
  };
  if (auto it = st.id_faults.find(a.id); it != st.id_faults.end() && it->second.remaining != 0) {
    if (it->second.remaining > 0) --it->second.remaining;
    return fail(it->second.status, it->second.type);
  }
  if (st.fail_next_items > 0) {
    --st.fail_next_items;
    return fail(st.fail_next_items_status, st.fail_next_items_type);
  }
  if (st.random_item_fraction > 0 &&
      std::uniform_real_distribution<double>(0, 1)(st.item_rng) < st.random_item_fraction) {
    return fail(st.random_item_status, st.random_item_type);
  }
  return false;
}

// Applies one action to the store. Caller holds st.mu.
ItemResult Apply(FakeElasticsearch::State& st, Action& a, bool source_in_errors) {
  ItemResult r;
  const auto key = std::make_pair(a.index, a.id);
  if (a.op == "delete") {
    const bool existed = st.docs.erase(key) > 0;
    r.status = existed ? 200 : 404;
    r.result = existed ? "deleted" : "not_found";
    return r;
  }
  if (a.op == "update") {
    r.status = 400;
    r.error_type = "illegal_argument_exception";
    r.error_reason = "the fake does not implement update";
    return r;
  }
  simdjson::dom::parser parser;
  simdjson::dom::object source;
  if (parser.parse(a.source).get_object().get(source)) {
    r.status = 400;
    r.error_type = DefaultErrorType(st.flavor, 400);
    r.error_reason = "[1:1] failed to parse";
    if (source_in_errors) r.error_reason += ": source [" + a.source.substr(0, 64) + "]";
    return r;
  }
  if (a.op == "create" && st.docs.count(key) > 0) {
    r.status = 409;
    r.error_type = "version_conflict_engine_exception";
    r.error_reason =
        "[" + a.id + "]: version conflict, document already exists (current version [1])";
    return r;
  }
  r.status = st.docs.count(key) > 0 ? 200 : 201;
  r.result = r.status == 201 ? "created" : "updated";
  st.docs[key] = a.source;
  return r;
}

std::string RenderItem(const FakeElasticsearch::State& st, const Action& a, const ItemResult& r,
                       std::int64_t seq_no) {
  std::string out = "{\"" + a.op + "\":{\"_index\":\"" + JsonEscape(a.index) + "\",\"_id\":\"" +
                    JsonEscape(a.id) + "\",";
  if (r.error_type.empty()) {
    out += "\"_version\":1,\"result\":\"" + r.result +
           "\",\"_shards\":{\"total\":1,\"successful\":1,\"failed\":0},\"_seq_no\":" +
           std::to_string(seq_no) + ",\"_primary_term\":1,";
  }
  out += "\"status\":" + std::to_string(r.status);
  if (!r.error_type.empty()) {
    std::string reason = r.error_reason;
    if (reason.empty())
      reason = st.flavor == FakeFlavor::kElasticsearch
                   ? "rejected by the fake (injected)"
                   : "rejected by the fake OpenSearch (injected)";
    out += ",\"error\":{\"type\":\"" + JsonEscape(r.error_type) + "\",\"reason\":\"" +
           JsonEscape(reason) + "\",\"index_uuid\":\"fake-uuid\",\"shard\":\"0\",\"index\":\"" +
           JsonEscape(a.index) + "\"}";
  }
  return out + "}}";
}

std::string RenderResponse(const std::vector<std::string>& items, bool errors) {
  std::string out =
      "{\"took\":1,\"errors\":" + std::string(errors ? "true" : "false") + ",\"items\":[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",";
    out += items[i];
  }
  return out + "]}";
}

}  // namespace

void HandleBulk(FakeElasticsearch::State& st, const httplib::Request& req, httplib::Response& res,
                const std::string& path_index) {
  std::unique_lock lock(st.mu);
  ++st.bulk_requests;
  if (req.get_header_value("Content-Encoding") == "gzip") ++st.gzipped_bulk_requests;
  st.last_bulk_target = req.target;
  st.last_bulk_body = req.body;
  const std::string wire_length = req.get_header_value("Content-Length");
  const std::size_t wire = wire_length.empty() ? req.body.size() : std::stoull(wire_length);
  if (st.max_content_length > 0 && wire > st.max_content_length) {
    return SetWholeRequestError(st.flavor, 413, res);
  }
  if (st.fail_next_requests > 0) {
    --st.fail_next_requests;
    return SetWholeRequestError(st.flavor, st.fail_next_requests_status, res);
  }
  if (st.random_request_fraction > 0 &&
      std::uniform_real_distribution<double>(0, 1)(st.request_rng) < st.random_request_fraction) {
    return SetWholeRequestError(st.flavor, st.random_request_status, res);
  }
  for (const auto& [name, value] : req.params) {
    if (!KnownParam(st, name)) {
      res.status = 400;
      const std::string reason =
          "request [" + req.path + "] contains unrecognized parameter: [" + name + "]";
      return res.set_content(ErrorBody(400, "illegal_argument_exception", reason),
                             kJsonContentType);
    }
  }
  const std::string content_type = req.get_header_value("Content-Type");
  if (!content_type.starts_with("application/json") &&
      !content_type.starts_with("application/x-ndjson")) {
    res.status = 406;
    return res.set_content("{\"error\":\"Content-Type header [" + JsonEscape(content_type) +
                               "] is not supported\",\"status\":406}",
                           kJsonContentType);
  }
  std::vector<Action> actions;
  std::string error_type;
  if (std::string why = ParseActions(req.body, path_index, &actions, &error_type); !why.empty()) {
    res.status = 400;
    return res.set_content(ErrorBody(400, error_type, why), kJsonContentType);
  }
  const bool source_in_errors = req.get_param_value("include_source_on_error") != "false";
  std::vector<std::string> items;
  bool errors = false;
  for (Action& a : actions) {
    if (a.id.empty() && a.op != "delete") a.id = "fake-auto-" + std::to_string(++st.auto_ids);
    ++st.items_received[a.id];
    ItemResult r;
    if (!PickFault(st, a, &r)) r = Apply(st, a, source_in_errors);
    errors = errors || !r.error_type.empty();
    items.push_back(RenderItem(st, a, r, st.seq_no++));
  }
  std::string body;
  int status = 200;
  if (st.malform_count > 0) {
    --st.malform_count;
    switch (st.malform_kind) {
      case Malformation::kTruncated:
        body = RenderResponse(items, errors);
        body.resize(body.size() / 2);
        break;
      case Malformation::kNotJson:
        body = "<html><body><h1>200 OK</h1>upstream said nothing</body></html>";
        break;
      case Malformation::kEmptyBody:
        break;
      case Malformation::kFewerItems:
        if (!items.empty()) items.pop_back();
        body = RenderResponse(items, errors);
        break;
      case Malformation::kMoreItems:
        if (!items.empty()) items.push_back(items.back());
        body = RenderResponse(items, errors);
        break;
      case Malformation::kWrongId:
        if (!actions.empty()) {
          Action other = actions.front();
          other.id = "not-" + other.id;
          items.front() = RenderItem(st, other, ItemResult{201, "created", {}, {}}, 0);
        }
        body = RenderResponse(items, errors);
        break;
    }
  } else {
    body = RenderResponse(items, errors);
  }
  const auto latency = st.latency;
  bool drop = false;
  std::chrono::milliseconds delay{0};
  if (st.connection_fault_count > 0) {
    --st.connection_fault_count;
    drop = st.connection_fault == ConnectionFault::kDropAfterApply;
    if (!drop) delay = st.fault_delay;
  }
  lock.unlock();
  if (latency.count() > 0) st.Pause(latency);
  if (drop) {
    // Headers promise a body that never comes: httplib closes the connection when the provider
    // fails, which is what a node dying after applying the request looks like to the client.
    res.status = status;
    res.set_content_provider(body.size() + 1, kJsonContentType,
                             [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
    return;
  }
  if (delay.count() > 0) st.Pause(delay);
  res.status = status;
  res.set_content(body, kJsonContentType);
}

}  // namespace cdc::testing
