#include "sink/elasticsearch/elasticsearch_sink.h"

#include <exception>

#include "core/thread_name.h"
#include "sink/elasticsearch/index_template.h"

namespace cdc {
namespace {

using es::HttpClient;
using es::HttpRequest;
using es::HttpResponse;

HttpClient::Options ClientOptions(const ElasticsearchSinkOptions& o) {
  HttpClient::Options c;
  c.ca_file = o.ca_file;
  c.tls_verify = o.tls_verify;
  c.username = o.username;
  c.password = o.password;
  c.api_key = o.api_key;
  c.request_timeout = o.request_timeout;
  c.connect_timeout = o.connect_timeout;
  return c;
}

es::SinkCore::Options CoreOptions(const ElasticsearchSinkOptions& o) {
  es::SinkCore::Options c;
  c.batching.max_docs = o.bulk_max_docs;
  c.batching.max_bytes = o.bulk_max_bytes;
  c.batching.linger = o.linger;
  c.backoff.initial = o.retry_initial;
  c.backoff.max = o.retry_max;
  c.backoff.seed = o.random_seed;
  c.max_queued_bytes = o.max_queued_bytes;
  c.max_in_flight = o.max_in_flight;
  c.index = o.index;
  c.dead_letter_topic = o.dead_letter_source_topic;
  return c;
}

bool IsAuthRefusal(int status) { return status == 401 || status == 403; }

}  // namespace

ElasticsearchSink::ElasticsearchSink(ElasticsearchSinkOptions options, AckSink* acks,
                                     DeadLetterWriter* dlq, Metrics* metrics)
    : options_(std::move(options)), metrics_(metrics) {
  for (std::string url : options_.urls) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    base_urls_.push_back(std::move(url));
  }
  core_ =
      std::make_shared<es::SinkCore>(CoreOptions(options_), es::SinkCore::Deps{acks, dlq, metrics});
  sender_ = std::make_unique<es::BulkSender>(
      es::BulkSender::Config{options_.index, options_.gzip, options_.gzip_level, options_.on_log},
      core_.get(), metrics);
  acks_missing_ = acks == nullptr;
}

ElasticsearchSink::~ElasticsearchSink() {
  if (started_ && !stopped_) (void)Stop(std::chrono::milliseconds(0));
}

void ElasticsearchSink::Log(SinkLogLevel level, std::string_view text) const {
  if (options_.on_log) options_.on_log(level, text);
}

std::string ElasticsearchSink::NextBaseUrl() {
  if (base_urls_.empty()) return {};
  return base_urls_[next_url_.fetch_add(1) % base_urls_.size()];
}

Status ElasticsearchSink::Start() {
  if (started_) return Status::Internal("elasticsearch sink: already started");
  if (acks_missing_) return Status::Internal("elasticsearch sink: no AckSink");
  if (Status s = options_.Validate(); !s.ok()) return s;
  for (int i = 0; i <= options_.max_in_flight; ++i) {
    auto client = HttpClient::Create(ClientOptions(options_));
    if (!client) return client.error();
    if (i == options_.max_in_flight) {
      std::lock_guard lock(health_mu_);
      health_client_ = std::move(*client);
    } else {
      clients_.push_back(std::move(*client));
    }
  }
  bool ready = false;
  {
    std::lock_guard lock(health_mu_);
    Status s = Bootstrap(*health_client_);
    if (s.code() == ErrorCode::kPermanent || s.code() == ErrorCode::kInvalidConfig) return s;
    ready = s.ok();
    if (!ready) {
      Log(SinkLogLevel::kWarn,
          "elasticsearch not ready at start (" + s.message() + "); retrying in the background");
    }
  }
  core_->Open(ready);
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    workers_.emplace_back([this, i] {
      SetCurrentThreadName("cdc-es-sink");
      WorkerLoop(i);
    });
  }
  started_ = true;
  return Status::Ok();
}

Status ElasticsearchSink::Bootstrap(HttpClient& client) {
  const std::string base = NextBaseUrl();
  HttpRequest request;
  request.method = "GET";
  request.url = base + "/";
  Result<HttpResponse> response = client.Send(request);
  if (!response) return response.error();
  if (response->status / 100 != 2) {
    return Status::Transient("GET / answered HTTP " + std::to_string(response->status));
  }
  Result<es::ClusterInfo> cluster =
      es::ParseClusterInfo(response->Header("x-elastic-product"), response->body);
  if (!cluster) return cluster.error();
  if (options_.install_template) {
    if (Status s = InstallTemplate(client, base, *cluster); !s.ok()) return s;
  }
  {
    std::lock_guard lock(setup_mu_);
    cluster_ = *cluster;
    // refresh=false: the default, stated so that nobody "fixes" it into a refresh per request.
    bulk_query_ = "/_bulk?refresh=false";
    if (cluster->SupportsIncludeSourceOnError()) bulk_query_ += "&include_source_on_error=false";
  }
  if (metrics_ != nullptr) metrics_->SetSinkUp(true);
  Log(SinkLogLevel::kInfo,
      std::string("connected to ") +
          (cluster->distribution == es::Distribution::kOpenSearch ? "OpenSearch "
                                                                  : "Elasticsearch ") +
          std::to_string(cluster->major) + "." + std::to_string(cluster->minor));
  return Status::Ok();
}

Status ElasticsearchSink::InstallTemplate(HttpClient& client, const std::string& base,
                                          const es::ClusterInfo& cluster) {
  HttpRequest get;
  get.method = "GET";
  get.url = base + "/_index_template/" + options_.index;
  Result<HttpResponse> current = client.Send(get);
  if (!current) return current.error();
  const std::string missing_privilege =
      "the cluster refused to manage index templates; grant manage_index_templates or set "
      "install_template=false and install it yourself";
  if (IsAuthRefusal(current->status)) return Status::Permanent(missing_privilege);
  if (current->status == 200) {
    const auto version = es::InstalledTemplateVersion(current->body, options_.index);
    if (version && *version >= es::kIndexTemplateVersion) {
      Log(SinkLogLevel::kInfo, "index template " + options_.index + " is up to date (version " +
                                   std::to_string(*version) + ")");
      return Status::Ok();
    }
  } else if (current->status != 404) {
    return Status::Transient("GET _index_template answered HTTP " +
                             std::to_string(current->status));
  }
  const std::string body = es::IndexTemplateJson(options_.index, cluster);
  HttpRequest put;
  put.method = "PUT";
  put.url = get.url;
  put.body = body;
  put.content_type = "application/json";
  Result<HttpResponse> result = client.Send(put);
  if (!result) return result.error();
  if (IsAuthRefusal(result->status)) return Status::Permanent(missing_privilege);
  if (result->status == 400) {
    return Status::Permanent("the cluster rejected the index template: " +
                             es::ErrorReason(400, es::WholeRequestErrorType(result->body)));
  }
  if (result->status / 100 != 2) {
    return Status::Transient("PUT _index_template answered HTTP " + std::to_string(result->status));
  }
  Log(SinkLogLevel::kInfo, "installed index template " + options_.index + " version " +
                               std::to_string(es::kIndexTemplateVersion));
  return Status::Ok();
}

void ElasticsearchSink::WorkerLoop(std::size_t index) {
  HttpClient& client = *clients_[index];
  try {
    while (std::optional<es::SinkWork> work = core_->NextWork()) {
      if (work->bootstrap) {
        const Status s = Bootstrap(client);
        if (!s.ok()) Log(SinkLogLevel::kWarn, "elasticsearch not ready: " + s.message());
        core_->BootstrapDone(s.ok());
      }
      if (!work->dead_letters.empty()) core_->DeadLetter(std::move(work->dead_letters));
      if (!work->batch.empty()) {
        std::string url = NextBaseUrl();
        {
          std::lock_guard lock(setup_mu_);
          url += bulk_query_;
        }
        sender_->Send(client, url, std::move(work->batch));
        core_->FinishBatch();
      }
    }
  } catch (const std::exception& e) {
    // Records of the batch in hand stay unacknowledged (their offsets are never committed); the
    // sink reports itself down so that /readyz fails and the operator restarts it.
    Log(SinkLogLevel::kError, std::string("elasticsearch worker stopped: ") + e.what());
    if (metrics_ != nullptr) metrics_->SetSinkUp(false);
  }
}

Status ElasticsearchSink::Healthcheck() {
  std::lock_guard lock(health_mu_);
  if (!health_client_) {
    auto client = HttpClient::Create(ClientOptions(options_));
    if (!client) return client.error();
    health_client_ = std::move(*client);
  }
  HttpRequest request;
  request.method = "GET";
  request.url = NextBaseUrl() + "/";
  request.timeout = options_.healthcheck_timeout;
  Result<HttpResponse> response = health_client_->Send(request);
  Status status;
  if (!response) {
    status = response.error();
  } else if (IsAuthRefusal(response->status)) {
    status = Status::Permanent("elasticsearch refused the credentials (HTTP " +
                               std::to_string(response->status) + ")");
  } else if (response->status / 100 != 2) {
    status = Status::Transient("elasticsearch answered HTTP " + std::to_string(response->status));
  }
  if (metrics_ != nullptr) metrics_->SetSinkUp(status.ok());
  return status;
}

bool ElasticsearchSink::TrySubmit(Batch& batch) {
  if (!started_ || stopped_) return false;
  return core_->TrySubmit(batch);
}

Status ElasticsearchSink::Stop(std::chrono::milliseconds deadline) {
  if (!started_ || stopped_) return Status::Ok();
  stopped_ = true;
  core_->BeginFlush();
  // The first half of the deadline flushes the queue; the second half only lets the requests
  // in flight finish, so the deadline rarely cuts one short (its items would be sent again
  // after a restart: no duplicate, thanks to the ids, but wasted work and a slower restart).
  const auto start = es::Clock::now();
  bool drained = core_->WaitDrained(start + deadline / 2);
  if (!drained) {
    (void)core_->StopSendingAndWaitInFlight(start + deadline);
    drained = core_->unfinished() == 0;
  }
  core_->Close();
  for (auto& client : clients_) client->Abort();  // cut in-flight requests short
  for (auto& worker : workers_) worker.join();
  workers_.clear();
  if (drained) return Status::Ok();
  return Status::Transient(std::to_string(core_->unfinished()) +
                           " records left unacknowledged at the stop deadline");
}

std::size_t ElasticsearchSink::QueuedBytes() const { return core_->queued_bytes(); }
std::size_t ElasticsearchSink::UnfinishedRecords() const { return core_->unfinished(); }

std::optional<es::ClusterInfo> ElasticsearchSink::Cluster() const {
  std::lock_guard lock(setup_mu_);
  return cluster_;
}

}  // namespace cdc
