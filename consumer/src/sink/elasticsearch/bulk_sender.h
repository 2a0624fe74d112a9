#pragma once

#include <string>
#include <string_view>

#include "metrics/metrics.h"
#include "sink/elasticsearch/bulk_response.h"
#include "sink/elasticsearch/elasticsearch_sink_options.h"
#include "sink/elasticsearch/http_client.h"
#include "sink/elasticsearch/sink_core.h"

namespace cdc::es {

// Sends one bulk request and routes every record of it to exactly one fate: delivered, retried
// (alone, with backoff), split, or dead-lettered, following the classifier's verdict
// (docs/elasticsearch-sink.md has the table). Stateless apart from its configuration; called by
// the worker threads concurrently, each with its own HttpClient.
class BulkSender {
 public:
  struct Config {
    std::string index;
    bool gzip = true;
    int gzip_level = 1;
    std::function<void(SinkLogLevel, std::string_view)> on_log;
  };

  BulkSender(Config config, SinkCore* core, Metrics* metrics);

  // `url` is the full _bulk URL with its query string.
  void Send(HttpClient& client, const std::string& url, PendingBatch batch) const;

 private:
  void HandleItems(PendingBatch batch, const BulkVerdict& verdict) const;
  void HandleRefusal(PendingBatch batch, const BulkVerdict& verdict, std::size_t sent_bytes) const;
  void Count(std::string_view request_outcome) const;
  void CountItems(std::string_view outcome, std::size_t n) const;
  void Log(SinkLogLevel level, std::string_view text) const;

  Config config_;
  SinkCore* core_;
  Metrics* metrics_;
};

}  // namespace cdc::es
