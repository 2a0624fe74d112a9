#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/status.h"
#include "metrics/metrics.h"

namespace httplib {
class Server;
}

namespace cdc {

// A GET (or HEAD) request as handlers see it; httplib stays an implementation detail.
struct HttpRequest {
  std::string method;
  std::string path;
  std::multimap<std::string, std::string> params;   // decoded query parameters
  std::multimap<std::string, std::string> headers;  // names as sent

  // The first value of query parameter `name`, or `fallback`.
  std::string Param(const std::string& name, std::string fallback = "") const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Extra headers (Content-Security-Policy, Cache-Control, ...). X-Content-Type-Options: nosniff
  // is on every response already.
  std::vector<std::pair<std::string, std::string>> headers;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// One component's state for /readyz.
struct ReadinessCheck {
  std::string name;  // "kafka", "sink": a JSON key, so [a-z_] only
  bool up = false;
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // loopback unless an operator says otherwise
  std::uint16_t port = 3000;       // 0: any free port, see port()
  Metrics* metrics = nullptr;      // /metrics; 503 when null
  // /healthz: ok while the process is alive and no thread has failed; the error message is
  // shown in the body (it must hold no secret; Status messages never do).
  std::function<Status()> liveness;
  // /readyz: 200 only while every check is up. Called on HTTP worker threads; must be cheap
  // and thread-safe (read cached state, do not probe).
  std::function<std::vector<ReadinessCheck>()> readiness;
  // Where the server reports handler exceptions and a failed listener; thread-safe.
  std::function<void(std::string_view message)> on_error;
  // Headers added to every response besides X-Content-Type-Options: nosniff (the local mode's
  // Content-Security-Policy and friends). A handler's own header of the same name wins.
  std::vector<std::pair<std::string, std::string>> default_headers;
  int worker_threads = 4;
};

// The consumer's one HTTP server (cpp-httplib): /metrics, /healthz and /readyz, plus whatever
// routes other modules register with Handle() (the local mode's UI and /api/events). Handle()
// and Start()/Stop() are called from the main thread, Handle() only before Start(); handlers
// and the health callbacks run on the server's worker threads.
class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serves GET and HEAD for exactly `path` (e.g. "/", "/api/events"). Fails after Start() or
  // for a path already taken.
  Status Handle(std::string path, HttpHandler handler);

  // Binds and starts serving; returns once the listener accepts connections.
  Status Start();
  // Stops accepting, waits for the listener thread. Idempotent.
  void Stop();

  // The bound port (the real one when options.port was 0); 0 before Start().
  std::uint16_t port() const { return port_; }

 private:
  // Settings, default headers, error handlers and the routes, on the httplib server.
  void Configure();
  HttpResponse ServeMetrics() const;
  HttpResponse ServeHealthz() const;
  HttpResponse ServeReadyz() const;
  void Report(std::string_view message) const;

  HttpServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::map<std::string, HttpHandler> routes_;
  std::thread thread_;
  std::atomic<bool> listener_done_{false};
  std::uint16_t port_ = 0;
  bool started_ = false;
};

}  // namespace cdc
