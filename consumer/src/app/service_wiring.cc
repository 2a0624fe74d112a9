#include "app/service_wiring.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "app/logging.h"
#include "sink/elasticsearch/elasticsearch_sink.h"

namespace cdc {
namespace {

// The sink's messages (refused or unusable bulk responses, readiness failures, template
// installs) carry reasons and counts, never document contents.
std::function<void(SinkLogLevel, std::string_view)> ElasticsearchLog() {
  return [logger = Logger("elasticsearch")](SinkLogLevel level, std::string_view text) {
    const std::string msg = "msg=" + LogValue(text);
    switch (level) {
      case SinkLogLevel::kDebug:
        logger->debug("{}", msg);
        break;
      case SinkLogLevel::kInfo:
        logger->info("{}", msg);
        break;
      case SinkLogLevel::kWarn:
        logger->warn("{}", msg);
        break;
      case SinkLogLevel::kError:
        logger->error("{}", msg);
        break;
    }
  };
}

// Beyond four, the poll thread's own share (librdkafka, offsets, batching) is the limit.
constexpr std::size_t kMaxAutoDecodeThreads = 4;

std::size_t DecodeThreads(std::int64_t configured) {
  if (configured > 0) return static_cast<std::size_t>(configured);
  return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, kMaxAutoDecodeThreads);
}

}  // namespace

PipelineOptions MakePipelineOptions(const Config& config) {
  PipelineOptions options;
  KafkaSourceOptions& kafka = options.kafka;
  kafka.brokers = config.brokers;
  kafka.topic = config.topic;
  kafka.group = config.group;
  kafka.dlq_topic = config.dlq_topic;
  kafka.rdkafka_overrides = config.rdkafka_overrides;
  kafka.max_buffered_bytes = static_cast<std::size_t>(config.max_buffered_bytes);
  kafka.batch_max_records = static_cast<std::size_t>(config.batch_max_records);
  kafka.decode_threads = DecodeThreads(config.decode_threads);
  options.shaper.redact_patterns = config.redact_columns;
  options.shutdown_deadline = config.shutdown_timeout;
  return options;
}

ElasticsearchSinkOptions MakeElasticsearchOptions(const Config& config) {
  ElasticsearchSinkOptions options;
  options.urls = config.es_urls;
  options.index = config.index;
  options.username = config.es_user;
  options.password = SecretString(config.es_password.Reveal());
  options.api_key = SecretString(config.es_api_key.Reveal());
  options.ca_file = config.es_ca_file;
  options.gzip = config.es_gzip;
  options.bulk_max_bytes = static_cast<std::size_t>(config.es_bulk_max_bytes);
  options.bulk_max_docs = static_cast<std::size_t>(config.es_bulk_max_docs);
  options.linger = config.es_bulk_linger;
  options.max_in_flight = static_cast<int>(config.es_max_in_flight);
  options.request_timeout = config.es_request_timeout;
  options.connect_timeout = config.es_connect_timeout;
  options.retry_initial = config.es_retry_initial;
  options.retry_max = config.es_retry_max;
  // One memory knob: the sink refuses batches at the same bound the source pauses at.
  options.max_queued_bytes = static_cast<std::size_t>(config.max_buffered_bytes);
  options.install_template = config.es_install_template;
  options.on_log = ElasticsearchLog();
  return options;
}

SqliteSinkOptions MakeSqliteOptions(const Config& config) {
  SqliteSinkOptions options;
  options.path = config.store_path;
  options.max_rows = config.store_max_rows;
  options.max_age = config.store_max_age;
  return options;
}

SinkFactory MakeSinkFactory(const Config& config, Metrics* metrics) {
  if (UsesEmbeddedStore(config)) {
    return [options = MakeSqliteOptions(config), metrics](
               AckSink* acks, DeadLetterWriter*) -> Result<std::unique_ptr<Sink>> {
      return std::make_unique<SqliteSink>(options, acks, metrics);
    };
  }
  return [options = MakeElasticsearchOptions(config), metrics](
             AckSink* acks, DeadLetterWriter* dlq) -> Result<std::unique_ptr<Sink>> {
    if (Status s = options.Validate(); !s.ok()) return Err(std::move(s));
    return std::make_unique<ElasticsearchSink>(options, acks, dlq, metrics);
  };
}

}  // namespace cdc
