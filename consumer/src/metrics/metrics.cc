#include "metrics/metrics.h"

#include <prometheus/text_serializer.h>

namespace cdc {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

}  // namespace

Metrics::Metrics(Options options)
    : registry_(std::make_shared<prometheus::Registry>()), tables_(options.max_table_series) {
  auto& r = *registry_;
  events_ = &BuildCounter()
                 .Name("cdc_events_total")
                 .Help("Row changes and DDL statements written to the sink, by table and operation")
                 .Register(r);
  decode_errors_ = &BuildCounter()
                        .Name("cdc_decode_errors_total")
                        .Help("Kafka records that could not be decoded as canal-json, by reason")
                        .Register(r);
  dead_letters_ = &BuildCounter()
                       .Name("cdc_dead_letters_total")
                       .Help("Records written to the dead-letter topic, by reason")
                       .Register(r);
  bulk_requests_ = &BuildCounter()
                        .Name("cdc_bulk_requests_total")
                        .Help("Bulk requests sent to the sink, by outcome")
                        .Register(r);
  bulk_items_ = &BuildCounter()
                     .Name("cdc_bulk_items_total")
                     .Help("Bulk items answered by the sink, by outcome")
                     .Register(r);
  bulk_latency_ =
      &BuildHistogram()
           .Name("cdc_bulk_request_duration_seconds")
           .Help("Time from sending a bulk request to its response")
           .Register(r)
           .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                            0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
  e2e_latency_ =
      &BuildHistogram()
           .Name("cdc_end_to_end_latency_seconds")
           .Help("Time from the TiDB commit to the sink's acknowledgement")
           .Register(r)
           .Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                            2.5, 5, 10, 30, 60, 120, 300, 600});
  consumer_lag_ = &BuildGauge()
                       .Name("cdc_consumer_lag_messages")
                       .Help("High watermark minus the next offset to commit, per partition")
                       .Register(r);
  committed_offset_ = &BuildGauge()
                           .Name("cdc_committed_offset")
                           .Help("Next offset stored for commit (all before it acknowledged)")
                           .Register(r);
  buffered_bytes_ = &BuildGauge()
                         .Name("cdc_buffered_bytes")
                         .Help("Bytes of documents read but not yet acknowledged")
                         .Register(r)
                         .Add({});
  paused_partitions_ = &BuildGauge()
                            .Name("cdc_paused_partitions")
                            .Help("Partitions paused by back-pressure")
                            .Register(r)
                            .Add({});
  watermark_lag_ = &BuildGauge()
                        .Name("cdc_ticdc_watermark_lag_seconds")
                        .Help("Now minus the physical time of the newest TiCDC watermark")
                        .Register(r)
                        .Add({});
  kafka_up_ = &BuildGauge()
                   .Name("cdc_kafka_up")
                   .Help("1 while the Kafka cluster is reachable")
                   .Register(r)
                   .Add({});
  sink_up_ = &BuildGauge()
                  .Name("cdc_sink_up")
                  .Help("1 while the sink (Elasticsearch or the embedded store) is reachable")
                  .Register(r)
                  .Add({});
  sink_retries_ = &BuildCounter()
                       .Name("cdc_sink_retries_total")
                       .Help("Bulk requests or items resent after a transient failure")
                       .Register(r)
                       .Add({});
  BuildGauge()
      .Name("cdc_build_info")
      .Help("Build information; the value is always 1")
      .Register(r)
      .Add({{"version", options.version}})
      .Set(1);
}

std::string Metrics::Serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

void Metrics::CountEvent(std::string_view database, std::string_view table, Op op, double n) {
  auto [db, tbl] = tables_.Map(database, table);
  events_
      ->Add(
          {{"database", std::move(db)}, {"table", std::move(tbl)}, {"op", std::string(OpName(op))}})
      .Increment(n);
}

prometheus::Gauge& Metrics::PartitionGauge(prometheus::Family<prometheus::Gauge>& family,
                                           prometheus::Gauge* PartitionSeries::*slot,
                                           std::int32_t partition) {
  prometheus::Gauge*& gauge = partitions_[partition].*slot;
  if (gauge == nullptr) gauge = &family.Add({{"partition", std::to_string(partition)}});
  return *gauge;
}

void Metrics::SetConsumerLag(std::int32_t partition, double messages) {
  const std::lock_guard lock(partitions_mu_);
  PartitionGauge(*consumer_lag_, &PartitionSeries::lag, partition).Set(messages);
}

void Metrics::SetCommittedOffset(std::int32_t partition, double offset) {
  const std::lock_guard lock(partitions_mu_);
  PartitionGauge(*committed_offset_, &PartitionSeries::committed, partition).Set(offset);
}

void Metrics::RemovePartition(std::int32_t partition) {
  const std::lock_guard lock(partitions_mu_);
  const auto it = partitions_.find(partition);
  if (it == partitions_.end()) return;
  if (it->second.lag != nullptr) consumer_lag_->Remove(it->second.lag);
  if (it->second.committed != nullptr) committed_offset_->Remove(it->second.committed);
  partitions_.erase(it);
}

}  // namespace cdc
