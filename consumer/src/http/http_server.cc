#include "http/http_server.h"
#include "core/thread_name.h"

#include <httplib.h>

#include <chrono>
#include <exception>

#include <fmt/format.h>

namespace cdc {
namespace {

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view kJson = "application/json";

// httplib routes by regular expression; registered paths are literal.
std::string LiteralPattern(std::string_view path) {
  std::string out;
  for (const char c : path) {
    if (std::string_view(R"(\^$.|?*+()[]{}-)").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

HttpResponse TextResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::string(kJson);
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpRequest ToRequest(const httplib::Request& req) {
  HttpRequest out;
  out.method = req.method;
  out.path = req.path;
  out.params.insert(req.params.begin(), req.params.end());
  out.headers.insert(req.headers.begin(), req.headers.end());
  return out;
}

void Apply(const HttpResponse& from, httplib::Response& to) {
  to.status = from.status;
  for (const auto& [name, value] : from.headers) {
    to.headers.erase(name);  // replaces a default header of the same name
    to.set_header(name, value);
  }
  to.set_content(from.body, from.content_type);
}

}  // namespace

std::string HttpRequest::Param(const std::string& name, std::string fallback) const {
  const auto it = params.find(name);
  return it == params.end() ? std::move(fallback) : it->second;
}

HttpServer::HttpServer(HttpServerOptions options)
    : options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {
  routes_["/metrics"] = [this](const HttpRequest&) { return ServeMetrics(); };
  routes_["/healthz"] = [this](const HttpRequest&) { return ServeHealthz(); };
  routes_["/readyz"] = [this](const HttpRequest&) { return ServeReadyz(); };
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Handle(std::string path, HttpHandler handler) {
  if (started_) return Status::Internal("routes must be registered before the server starts");
  if (path.empty() || path.front() != '/') {
    return Status::InvalidInput(fmt::format("route path must start with '/': {}", path));
  }
  if (!routes_.emplace(path, std::move(handler)).second) {
    return Status::InvalidInput(fmt::format("route already registered: {}", path));
  }
  return Status::Ok();
}

void HttpServer::Configure() {
  const int threads = options_.worker_threads > 0 ? options_.worker_threads : 1;
  server_->new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  httplib::Headers headers{{"X-Content-Type-Options", "nosniff"}};
  for (const auto& [name, value] : options_.default_headers) {
    if (name != "X-Content-Type-Options") headers.emplace(name, value);
  }
  server_->set_default_headers(std::move(headers));
  server_->set_payload_max_length(64 * 1024);  // we serve GETs; no large bodies accepted
  // httplib's default is SO_REUSEPORT, which lets a second process bind the same port and take
  // half the scrapes; SO_REUSEADDR alone still allows a quick restart over TIME_WAIT sockets.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) res.set_content(fmt::format("{}\n", res.status), "text/plain");
  });
  server_->set_exception_handler(
      [this](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
        Report(fmt::format("handler for {} failed", req.path));
        res.status = 500;
        res.set_content("internal error\n", "text/plain");
      });
  for (const auto& [path, handler] : routes_) {
    server_->Get(LiteralPattern(path),
                 [this, &handler = handler](const httplib::Request& req, httplib::Response& res) {
                   try {
                     Apply(handler(ToRequest(req)), res);
                   } catch (const std::exception& e) {
                     Report(fmt::format("handler for {} failed: {}", req.path, e.what()));
                     Apply(TextResponse(500, "internal error\n"), res);
                   }
                 });
  }
}

Status HttpServer::Start() {
  if (started_) return Status::Internal("HTTP server already started");
  Configure();
  int port = options_.port;
  if (port == 0) {
    port = server_->bind_to_any_port(options_.host);
  } else if (!server_->bind_to_port(options_.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return Status::Transient(fmt::format("cannot listen on {}:{} (address in use or not local?)",
                                         options_.host, options_.port));
  }
  port_ = static_cast<std::uint16_t>(port);
  started_ = true;
  thread_ = std::thread([this] {
    SetCurrentThreadName("cdc-http");
    try {
      if (!server_->listen_after_bind()) Report("HTTP listener stopped with an error");
    } catch (const std::exception& e) {
      Report(fmt::format("HTTP listener failed: {}", e.what()));
    } catch (...) {
      Report("HTTP listener failed");
    }
    listener_done_.store(true);
  });
  // httplib's stop() is a no-op until the listener runs, so Stop() right after Start() would
  // hang; wait until it runs (the first thing the thread does) or has already given up.
  while (!server_->is_running() && !listener_done_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!server_->is_running()) {
    Stop();
    return Status::Internal("HTTP listener did not start");
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

void HttpServer::Report(std::string_view message) const {
  if (options_.on_error) options_.on_error(message);
}

HttpResponse HttpServer::ServeMetrics() const {
  if (options_.metrics == nullptr) return TextResponse(503, "no metrics\n");
  HttpResponse r;
  r.content_type = std::string(kMetricsContentType);
  r.body = options_.metrics->Serialize();
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse HttpServer::ServeHealthz() const {
  const Status status = options_.liveness ? options_.liveness() : Status::Ok();
  if (status.ok()) return JsonResponse(200, "{\"status\":\"ok\"}\n");
  return JsonResponse(
      503, fmt::format("{{\"status\":\"failed\",\"reason\":{}}}\n", JsonString(status.message())));
}

HttpResponse HttpServer::ServeReadyz() const {
  const std::vector<ReadinessCheck> checks =
      options_.readiness ? options_.readiness() : std::vector<ReadinessCheck>{};
  bool ready = true;
  std::string fields;
  for (const auto& check : checks) {
    ready = ready && check.up;
    fields += fmt::format(",{}:\"{}\"", JsonString(check.name), check.up ? "up" : "down");
  }
  return JsonResponse(ready ? 200 : 503, fmt::format("{{\"ready\":{}{}}}\n", ready, fields));
}

}  // namespace cdc
