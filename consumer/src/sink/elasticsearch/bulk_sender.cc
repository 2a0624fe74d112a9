#include "sink/elasticsearch/bulk_sender.h"

#include "sink/elasticsearch/bulk_body.h"
#include "sink/elasticsearch/bulk_response.h"
#include "sink/elasticsearch/gzip.h"

namespace cdc::es {

BulkSender::BulkSender(Config config, SinkCore* core, Metrics* metrics)
    : config_(std::move(config)), core_(core), metrics_(metrics) {}

void BulkSender::Log(SinkLogLevel level, std::string_view text) const {
  if (config_.on_log) config_.on_log(level, text);
}

void BulkSender::Count(std::string_view request_outcome) const {
  if (metrics_ != nullptr) metrics_->CountBulkRequest(request_outcome);
}

void BulkSender::CountItems(std::string_view outcome, std::size_t n) const {
  if (metrics_ != nullptr && n > 0) metrics_->CountBulkItems(outcome, static_cast<double>(n));
}

void BulkSender::Send(HttpClient& client, const std::string& url, PendingBatch batch) const {
  std::size_t bound = 0;
  for (const PendingRecord& r : batch) bound += r.bytes;
  std::string body;
  body.reserve(bound);
  std::vector<BulkItemRef> refs;
  refs.reserve(batch.size());
  for (const PendingRecord& r : batch) {
    AppendCreate(config_.index, r.record.doc, &body);
    refs.push_back(BulkItemRef{BulkOp::kCreate, r.record.doc.id});
  }
  std::string compressed;
  const bool gzipped = config_.gzip && GzipCompress(body, config_.gzip_level, &compressed).ok();
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.body = gzipped ? std::string_view(compressed) : std::string_view(body);
  request.content_type = "application/x-ndjson";
  request.body_gzipped = gzipped;

  const auto start = Clock::now();
  Result<HttpResponse> response = client.Send(request);
  if (metrics_ != nullptr) {
    metrics_->ObserveBulkSeconds(std::chrono::duration<double>(Clock::now() - start).count());
  }
  const std::size_t n = batch.size();
  if (!response) {
    // Refused, reset, timed out: the request may or may not have been applied. Resending it is
    // safe because every action is a `create` of a deterministic id (a replay answers 409).
    Log(SinkLogLevel::kDebug, "bulk request failed: " + response.error().message());
    if (metrics_ != nullptr) metrics_->SetSinkUp(false);
    Count("retried");
    CountItems("retried", n);
    core_->Retry(std::move(batch), RetryDelay::kBackoff);
    return;
  }
  const BulkVerdict verdict = ClassifyBulkResponse(response->status, response->body, refs);
  switch (verdict.outcome) {
    case RequestOutcome::kItems:
      if (metrics_ != nullptr) metrics_->SetSinkUp(true);
      Count("success");
      HandleItems(std::move(batch), verdict);
      return;
    case RequestOutcome::kMalformed:
      Log(SinkLogLevel::kWarn, "bulk response unusable (" + verdict.reason +
                                   "); nothing acknowledged, retrying the whole request");
      [[fallthrough]];
    case RequestOutcome::kRetry:
      core_->AdjustConcurrency(response->status == 429);
      Count("retried");
      CountItems("retried", n);
      core_->Retry(std::move(batch), RetryDelay::kBackoff);
      return;
    case RequestOutcome::kTooLarge:
    case RequestOutcome::kBadRequest:
    case RequestOutcome::kBlocked:
      HandleRefusal(std::move(batch), verdict, bound);
      return;
  }
}

void BulkSender::HandleItems(PendingBatch batch, const BulkVerdict& verdict) const {
  PendingBatch delivered, retry, blocked;
  delivered.reserve(batch.size());  // nearly always every item: no regrowth of ~200-byte records
  std::vector<DeadLetterJob> rejects;
  std::size_t created = 0, conflict = 0;
  bool overloaded = false;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const ItemVerdict& item = verdict.items[i];
    switch (item.outcome) {
      case ItemOutcome::kCreated:
      case ItemOutcome::kNotFound:
        ++created;
        delivered.push_back(std::move(batch[i]));
        break;
      case ItemOutcome::kConflict:
        ++conflict;
        delivered.push_back(std::move(batch[i]));
        break;
      case ItemOutcome::kRetry:
        overloaded = overloaded || item.status == 429;
        retry.push_back(std::move(batch[i]));
        break;
      case ItemOutcome::kBlocked:
        blocked.push_back(std::move(batch[i]));
        break;
      case ItemOutcome::kReject:
        rejects.push_back(DeadLetterJob{std::move(batch[i]), item.reason, 0});
        break;
    }
  }
  CountItems("created", created);
  CountItems("conflict", conflict);
  CountItems("retried", retry.size() + blocked.size());
  CountItems("rejected", rejects.size());
  core_->AdjustConcurrency(overloaded);
  core_->Deliver(std::move(delivered));
  core_->Retry(std::move(retry), RetryDelay::kBackoff);
  if (!blocked.empty()) {
    Log(SinkLogLevel::kWarn, std::to_string(blocked.size()) +
                                 " bulk items refused by the cluster (blocked index or missing "
                                 "privilege); retrying them with a long backoff");
    core_->Retry(std::move(blocked), RetryDelay::kLong);
  }
  core_->DeadLetter(std::move(rejects));
}

void BulkSender::HandleRefusal(PendingBatch batch, const BulkVerdict& verdict,
                               std::size_t sent_bytes) const {
  if (verdict.outcome == RequestOutcome::kBlocked) {
    // 401/403 and unexpected statuses: a configuration problem, not the documents'. Keep them,
    // report the sink down, and come back slowly.
    Log(SinkLogLevel::kWarn, "bulk request refused (" + verdict.reason +
                                 "); sink unhealthy, retrying with a long backoff");
    if (metrics_ != nullptr) metrics_->SetSinkUp(false);
    Count("failed");
    CountItems("retried", batch.size());
    core_->Retry(std::move(batch), RetryDelay::kLong);
    return;
  }
  // 413 (too large) or 400 (unparseable request): halve until the offending document stands
  // alone; that one is dead-lettered, every other one is delivered.
  if (batch.size() == 1) {
    Count("failed");
    CountItems("rejected", 1);
    std::vector<DeadLetterJob> jobs;
    jobs.push_back(DeadLetterJob{std::move(batch.front()), verdict.reason, 0});
    core_->DeadLetter(std::move(jobs));
    return;
  }
  Count("split");
  if (verdict.outcome == RequestOutcome::kTooLarge) core_->LimitBulkBytes(sent_bytes / 2);
  core_->Split(std::move(batch));
}

}  // namespace cdc::es
