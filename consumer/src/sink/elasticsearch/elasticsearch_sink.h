#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "metrics/metrics.h"
#include "sink/dead_letter.h"
#include "sink/elasticsearch/bulk_sender.h"
#include "sink/elasticsearch/cluster_info.h"
#include "sink/elasticsearch/elasticsearch_sink_options.h"
#include "sink/elasticsearch/http_client.h"
#include "sink/elasticsearch/sink_core.h"
#include "sink/sink.h"

namespace cdc {

// Writes documents to Elasticsearch or OpenSearch with the `_bulk` API: batches by size, count
// and linger; several requests in flight (one worker thread and keep-alive connection each);
// per-item classification with retries of only the failed items; dead letters for documents
// the cluster rejects. Every accepted record is acknowledged exactly once through `acks`, and
// none is acknowledged without a positional success in a response (or a durable dead letter).
// Start/Healthcheck/TrySubmit/Stop are called from the pipeline thread; the accessors from any.
class ElasticsearchSink : public Sink {
 public:
  ElasticsearchSink(ElasticsearchSinkOptions options, AckSink* acks, DeadLetterWriter* dlq,
                    Metrics* metrics);
  ~ElasticsearchSink() override;
  ElasticsearchSink(const ElasticsearchSink&) = delete;
  ElasticsearchSink& operator=(const ElasticsearchSink&) = delete;

  // Validates the options, reads `GET /` (Elasticsearch or OpenSearch, version) and installs the
  // index template, then starts the workers. If the cluster is unreachable the workers keep
  // trying in the background and send nothing until it succeeds (so no index is ever created
  // without the template); a cluster that is not Elasticsearch/OpenSearch, or that rejects the
  // template, is an error.
  Status Start() override;
  // GET / with the healthcheck timeout: ok only for a 2xx from the cluster.
  Status Healthcheck() override;
  [[nodiscard]] bool TrySubmit(Batch& batch) override;
  Status Stop(std::chrono::milliseconds deadline) override;

  // Bytes of accepted records not yet acknowledged (the TrySubmit bound applies to it).
  std::size_t QueuedBytes() const;
  // Accepted records not yet acknowledged or dead-lettered.
  std::size_t UnfinishedRecords() const;
  // What GET / said, once the handshake succeeded.
  std::optional<es::ClusterInfo> Cluster() const;

 private:
  Status Bootstrap(es::HttpClient& client);
  Status InstallTemplate(es::HttpClient& client, const std::string& base,
                         const es::ClusterInfo& cluster);
  void WorkerLoop(std::size_t index);
  std::string NextBaseUrl();
  void Log(SinkLogLevel level, std::string_view text) const;

  ElasticsearchSinkOptions options_;
  Metrics* metrics_;
  std::shared_ptr<es::SinkCore> core_;
  std::unique_ptr<es::BulkSender> sender_;
  std::vector<std::string> base_urls_;  // without a trailing slash
  std::atomic<std::size_t> next_url_{0};

  mutable std::mutex setup_mu_;  // guards cluster_ and bulk_query_
  std::optional<es::ClusterInfo> cluster_;
  std::string bulk_query_;

  std::mutex health_mu_;  // the healthcheck client is used by one caller at a time
  std::unique_ptr<es::HttpClient> health_client_;
  std::vector<std::unique_ptr<es::HttpClient>> clients_;  // one per worker
  std::vector<std::thread> workers_;
  bool acks_missing_ = false;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace cdc
