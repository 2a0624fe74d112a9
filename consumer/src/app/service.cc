#include "app/service.h"

#include <memory>
#include <utility>

#include "app/cli.h"
#include "app/local_routes.h"
#include "app/logging.h"
#include "app/process_health.h"
#include "app/service_wiring.h"
#include "app/signals.h"
#include "http/http_server.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline.h"

namespace cdc {
namespace {

HttpServerOptions MakeHttpOptions(const Config& config, Metrics* metrics, ProcessHealth* health,
                                  Pipeline* pipeline) {
  HttpServerOptions options;
  options.host = config.listen.host;
  options.port = config.listen.port;
  options.metrics = metrics;
  options.liveness = [health] { return health->Check(); };
  options.readiness = [pipeline] {
    return std::vector<ReadinessCheck>{{"kafka", pipeline->KafkaReachable()},
                                       {"sink", pipeline->SinkHealthy()}};
  };
  options.on_error = [health, pipeline](std::string_view message) {
    Logger("http")->error("msg={}", LogValue(message));
    // A failed handler answers 500 and the server goes on; a dead listener is a failed thread.
    if (message.starts_with("HTTP listener")) {
      health->MarkFailed("http", message);
      pipeline->RequestStop();
    }
  };
  if (UsesEmbeddedStore(config)) options.default_headers = LocalSecurityHeaders();
  return options;
}

void LogStartup(const Config& config) {
  const auto log = Logger("app");
  log->info("msg=\"starting\" version={} brokers={} topic={} group={} sink={} {}={}", CDC_VERSION,
            LogValue(config.brokers), config.topic, config.group,
            UsesEmbeddedStore(config) ? "sqlite" : "elasticsearch",
            UsesEmbeddedStore(config) ? "store_path" : "index",
            LogValue(UsesEmbeddedStore(config) ? config.store_path : config.index));
  // Every setting with its source at debug; secrets are *** (DumpConfig masks them).
  for (const auto& [key, source] : config.sources) {
    log->debug("msg=\"setting\" key={} source={}", key, LogValue(source.where));
  }
}

// Registers the UI in embedded-store mode, then binds. False (logged) when it cannot serve.
bool StartHttp(const Config& config, HttpServer& http) {
  const auto log = Logger("app");
  if (UsesEmbeddedStore(config)) {
    auto backend = std::make_shared<SqliteQueryBackend>(config.store_path);
    if (Status s = RegisterLocalRoutes(http, std::move(backend)); !s.ok()) {
      log->error("msg=\"cannot register the UI routes\" error={}", LogValue(s.ToString()));
      return false;
    }
  }
  if (Status s = http.Start(); !s.ok()) {
    log->error("msg=\"cannot start the HTTP server\" error={}", LogValue(s.message()));
    return false;
  }
  log->info("msg=\"HTTP server listening\" host={} port={}", LogValue(config.listen.host),
            http.port());
  return true;
}

// Starts the pipeline and waits for it to stop; the exit status.
int RunPipeline(Pipeline& pipeline, ProcessHealth& health) {
  const auto log = Logger("app");
  if (Status s = pipeline.Start(); !s.ok()) {
    log->error("msg=\"pipeline failed to start\" error={}", LogValue(s.ToString()));
    health.MarkFailed("pipeline", s.message());
    return s.code() == ErrorCode::kInvalidConfig ? kExitConfigError : kExitFailure;
  }
  log->info("msg=\"running\"");
  const Status result = pipeline.Wait();
  if (!result.ok()) {
    health.MarkFailed("pipeline", result.message());
    log->error("msg=\"stopped after a failure\" error={}", LogValue(result.ToString()));
    return kExitFailure;
  }
  if (!health.healthy()) {
    log->error("msg=\"stopped; a thread had failed\" error={}", LogValue(health.Check().message()));
    return kExitFailure;
  }
  log->info("msg=\"stopped cleanly\"");
  return kExitOk;
}

}  // namespace

int RunService(const Config& config) {
  // Before any thread exists (librdkafka, sink workers, HTTP workers): every thread inherits the
  // mask, so only the signal watcher ever receives SIGTERM/SIGINT.
  SignalWatcher::BlockSignals();
  (void)SetLogLevel(config.log_level);  // validated already
  LogStartup(config);

  ProcessHealth health;
  Metrics metrics(
      Metrics::Options{.max_table_series = static_cast<std::size_t>(config.max_table_series),
                       .version = CDC_VERSION});
  // Declared before the server and the watcher, whose callbacks use it: destroyed after them.
  Pipeline pipeline(MakePipelineOptions(config), MakeSinkFactory(config, &metrics), &metrics);
  HttpServer http(MakeHttpOptions(config, &metrics, &health, &pipeline));
  if (!StartHttp(config, http)) return kExitFailure;

  SignalWatcher signals(
      {.on_first = [&pipeline](int) { pipeline.RequestStop(); }, .on_second = nullptr});
  if (Status s = signals.Start(); !s.ok()) {
    Logger("app")->error("msg=\"cannot watch signals\" error={}", LogValue(s.message()));
    return kExitFailure;
  }
  const int status = RunPipeline(pipeline, health);
  http.Stop();
  signals.Stop();
  return status;
}

}  // namespace cdc
