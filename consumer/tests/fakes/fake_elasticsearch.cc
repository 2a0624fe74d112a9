#include "fakes/fake_elasticsearch.h"

#include <simdjson.h>

#include <thread>

#include "fakes/fake_es_state.h"

namespace cdc::testing {

std::string JsonEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

std::string DefaultErrorType(FakeFlavor flavor, int status) {
  const bool es = flavor == FakeFlavor::kElasticsearch;
  switch (status) {
    case 400:
      return es ? "document_parsing_exception" : "mapper_parsing_exception";
    case 401:
    case 403:
      return "security_exception";
    case 404:
      return "index_not_found_exception";
    case 429:
      return es ? "es_rejected_execution_exception" : "rejected_execution_exception";
    case 503:
      return "unavailable_shards_exception";
    default:
      return "exception";
  }
}

std::string ErrorBody(int status, std::string_view type, std::string_view reason) {
  const std::string t = JsonEscape(type), r = JsonEscape(reason);
  return "{\"error\":{\"root_cause\":[{\"type\":\"" + t + "\",\"reason\":\"" + r +
         "\"}],\"type\":\"" + t + "\",\"reason\":\"" + r +
         "\"},\"status\":" + std::to_string(status) + "}";
}

void SetWholeRequestError(FakeFlavor flavor, int status, httplib::Response& res) {
  res.status = status;
  if (status == 413) return;             // Elasticsearch answers 413 with an empty body
  if (status == 502 || status == 504) {  // what a proxy in front of the cluster sends
    res.set_content("<html><body>gateway error</body></html>", "text/html");
    return;
  }
  const std::string reason = status == 429 ? "rejected execution of coordinating operation [fake]"
                                           : "injected by the fake";
  res.set_content(ErrorBody(status, DefaultErrorType(flavor, status), reason), kJsonContentType);
}

struct FakeElasticsearch::Server {
  std::unique_ptr<httplib::Server> http;
  std::thread thread;
};

namespace {

std::string RootBody(const FakeElasticsearch::State& st) {
  if (st.flavor == FakeFlavor::kOpenSearch) {
    return R"({"name":"fake-os","cluster_name":"fake","version":{"distribution":"opensearch",)"
           R"("number":")" +
           st.version +
           R"(","build_type":"tar","lucene_version":"9.10.0"},)"
           R"("tagline":"The OpenSearch Project: https://opensearch.org/"})";
  }
  return R"({"name":"fake-es","cluster_name":"fake","version":{"number":")" + st.version +
         R"(","build_flavor":"default","build_type":"docker","lucene_version":"9.12.0"},)"
         R"("tagline":"You Know, for Search"})";
}

void HandleTemplatePut(FakeElasticsearch::State& st, const httplib::Request& req,
                       httplib::Response& res, const std::string& name) {
  simdjson::dom::parser parser;
  simdjson::dom::object body;
  simdjson::dom::array patterns;
  if (parser.parse(req.body).get_object().get(body) ||
      body["index_patterns"].get_array().get(patterns)) {
    res.status = 400;
    res.set_content(ErrorBody(400, "action_request_validation_exception",
                              "Validation Failed: 1: index patterns are missing;"),
                    kJsonContentType);
    return;
  }
  // Each product knows only its own flat-object type.
  const bool es = st.flavor == FakeFlavor::kElasticsearch;
  const std::string foreign = es ? "\"flat_object\"" : "\"flattened\"";
  if (req.body.find(foreign) != std::string::npos) {
    res.status = 400;
    res.set_content(ErrorBody(400, "mapper_parsing_exception",
                              "No handler for type [" + foreign.substr(1, foreign.size() - 2) +
                                  "] declared on field [data]"),
                    kJsonContentType);
    return;
  }
  std::lock_guard lock(st.mu);
  st.templates[name] = req.body;
  ++st.template_puts;
  res.set_content(R"({"acknowledged":true})", kJsonContentType);
}

void HandleTemplateGet(FakeElasticsearch::State& st, httplib::Response& res,
                       const std::string& name) {
  std::lock_guard lock(st.mu);
  auto it = st.templates.find(name);
  if (it == st.templates.end()) {
    res.status = 404;
    res.set_content(ErrorBody(404, "resource_not_found_exception",
                              "index template matching [" + name + "] not found"),
                    kJsonContentType);
    return;
  }
  res.set_content("{\"index_templates\":[{\"name\":\"" + JsonEscape(name) +
                      "\",\"index_template\":" + it->second + "}]}",
                  kJsonContentType);
}

void AddRoutes(httplib::Server& http, const std::shared_ptr<FakeElasticsearch::State>& state) {
  auto st = state;
  http.set_pre_routing_handler([st](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(st->mu);
    st->last_authorization = req.get_header_value("Authorization");
    if (st->required_auth.empty() || st->last_authorization == st->required_auth) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.status = 401;
    res.set_header("WWW-Authenticate", "Basic realm=\"security\" charset=\"UTF-8\"");
    res.set_content(
        ErrorBody(401, "security_exception", "missing authentication credentials for REST request"),
        kJsonContentType);
    return httplib::Server::HandlerResponse::Handled;
  });
  http.Get("/", [st](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(st->mu);
    res.set_content(RootBody(*st), kJsonContentType);
  });
  http.Get("/_cluster/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"cluster_name":"fake","status":"green","number_of_nodes":1})",
                    kJsonContentType);
  });
  http.Get(R"(/_index_template/([^/]+))",
           [st](const httplib::Request& req, httplib::Response& res) {
             HandleTemplateGet(*st, res, req.matches[1]);
           });
  http.Put(R"(/_index_template/([^/]+))",
           [st](const httplib::Request& req, httplib::Response& res) {
             HandleTemplatePut(*st, req, res, req.matches[1]);
           });
  auto bulk = [st](const httplib::Request& req, httplib::Response& res) {
    HandleBulk(*st, req, res, req.matches.size() > 1 ? std::string(req.matches[1]) : "");
  };
  http.Post("/_bulk", bulk);
  http.Put("/_bulk", bulk);
  http.Post(R"(/([^/_][^/]*)/_bulk)", bulk);
  http.Put(R"(/([^/_][^/]*)/_bulk)", bulk);
}

}  // namespace

FakeElasticsearch::FakeElasticsearch(FakeElasticsearchOptions options)
    : options_(std::move(options)), state_(std::make_shared<State>()) {
  state_->flavor = options_.flavor;
  state_->version = !options_.version.empty()                    ? options_.version
                    : options_.flavor == FakeFlavor::kOpenSearch ? "2.13.0"
                                                                 : "8.19.0";
}

FakeElasticsearch::~FakeElasticsearch() { Stop(); }

Status FakeElasticsearch::Start() { return Listen(0); }

Status FakeElasticsearch::Listen(int port) {
  auto server = std::make_unique<Server>();
  if (!options_.cert_file.empty()) {
    server->http =
        std::make_unique<httplib::SSLServer>(options_.cert_file.c_str(), options_.key_file.c_str());
  } else {
    server->http = std::make_unique<httplib::Server>();
  }
  httplib::Server& http = *server->http;
  if (!http.is_valid()) return Status::Internal("fake es: invalid server (TLS files?)");
  http.new_task_queue = [] { return new httplib::ThreadPool(16); };
  http.set_keep_alive_max_count(100000);
  http.set_keep_alive_timeout(1);  // Stop() waits this long for idle keep-alive connections
  if (options_.flavor == FakeFlavor::kElasticsearch) {
    http.set_default_headers({{"X-Elastic-Product", "Elasticsearch"}});
  }
  AddRoutes(http, state_);
  const int bound = port == 0 ? http.bind_to_any_port("127.0.0.1")
                              : (http.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) return Status::Internal("fake es: cannot bind 127.0.0.1");
  {
    std::lock_guard lock(state_->mu);
    state_->shutting_down = false;
  }
  server->thread = std::thread([h = server->http.get()] { h->listen_after_bind(); });
  // httplib's stop() does nothing until the accept loop is running, so a Stop() right after
  // Start() would hang in join: wait (bounded) until it runs.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!http.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!http.is_running()) return Status::Internal("fake es: server did not start");
  port_ = bound;
  server_ = std::move(server);
  return Status::Ok();
}

void FakeElasticsearch::StopServer() {
  if (!server_) return;
  {
    std::lock_guard lock(state_->mu);
    state_->shutting_down = true;
  }
  state_->cv.notify_all();
  server_->http->stop();
  if (server_->thread.joinable()) server_->thread.join();
  server_.reset();
}

void FakeElasticsearch::Stop() { StopServer(); }

Status FakeElasticsearch::SetDown(bool down) {
  if (down) {
    StopServer();
    return Status::Ok();
  }
  if (server_) return Status::Ok();
  return Listen(port_);
}

std::string FakeElasticsearch::url() const {
  return std::string(options_.cert_file.empty() ? "http" : "https") +
         "://127.0.0.1:" + std::to_string(port_);
}
int FakeElasticsearch::port() const { return port_; }

}  // namespace cdc::testing
