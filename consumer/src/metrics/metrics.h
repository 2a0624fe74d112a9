#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "core/change_event.h"
#include "metrics/label_capper.h"

namespace cdc {

// Every metric the consumer exposes, declared once (names `cdc_*`, checked by promtool in the
// tests). Thread-safe: prometheus-cpp metrics are atomic and Family::Add is locked. Components get
// a pointer to the one Metrics object of the process through their context.
class Metrics {
 public:
  struct Options {
    std::size_t max_table_series = 200;  // distinct database/table label pairs before overflow
    std::string version = "dev";
  };

  explicit Metrics(Options options);
  Metrics() : Metrics(Options{}) {}

  prometheus::Registry& registry() { return *registry_; }
  // The text exposition format of every metric, as served on /metrics.
  std::string Serialize() const;

  // cdc_events_total{database,table,op}: documents acknowledged by the sink (delivered). Sinks
  // count a batch through EventRunCounter (below), which calls this once per run.
  void CountEvent(std::string_view database, std::string_view table, Op op, double n = 1);
  void CountDecodeError(std::string_view reason) { Add(*decode_errors_, "reason", reason); }
  void CountDeadLetter(std::string_view reason) { Add(*dead_letters_, "reason", reason); }
  // outcome: success | retried | split | failed
  void CountBulkRequest(std::string_view outcome) { Add(*bulk_requests_, "outcome", outcome); }
  // outcome: created | conflict | retried | rejected
  void CountBulkItems(std::string_view outcome, double n) {
    bulk_items_->Add({{"outcome", std::string(outcome)}}).Increment(n);
  }
  void ObserveBulkSeconds(double seconds) { bulk_latency_->Observe(seconds); }
  void ObserveEndToEndSeconds(double seconds) { e2e_latency_->Observe(seconds); }

  void SetConsumerLag(std::int32_t partition, double messages);
  void SetCommittedOffset(std::int32_t partition, double offset);
  void RemovePartition(std::int32_t partition);  // on revoke: its series disappear
  void SetBufferedBytes(double bytes) { buffered_bytes_->Set(bytes); }
  void SetPausedPartitions(double n) { paused_partitions_->Set(n); }
  void SetWatermarkLagSeconds(double seconds) { watermark_lag_->Set(seconds); }
  void SetKafkaUp(bool up) { kafka_up_->Set(up ? 1 : 0); }
  void SetSinkUp(bool up) { sink_up_->Set(up ? 1 : 0); }
  void CountSinkRetry() { sink_retries_->Increment(); }

 private:
  static void Add(prometheus::Family<prometheus::Counter>& family, const char* label,
                  std::string_view value) {
    family.Add({{label, std::string(value)}}).Increment();
  }

  // The series of one partition, looked up in its family once per assignment: the source sets
  // them after every acknowledged round, and Family::Add builds, validates and hashes a label
  // map on every call. Either pointer is null until that series is first set. PartitionGauge
  // is called with partitions_mu_ held.
  struct PartitionSeries {
    prometheus::Gauge* lag = nullptr;
    prometheus::Gauge* committed = nullptr;
  };
  prometheus::Gauge& PartitionGauge(prometheus::Family<prometheus::Gauge>& family,
                                    prometheus::Gauge* PartitionSeries::*slot,
                                    std::int32_t partition);

  std::shared_ptr<prometheus::Registry> registry_;
  LabelCapper tables_;
  prometheus::Family<prometheus::Counter>* events_;
  prometheus::Family<prometheus::Counter>* decode_errors_;
  prometheus::Family<prometheus::Counter>* dead_letters_;
  prometheus::Family<prometheus::Counter>* bulk_requests_;
  prometheus::Family<prometheus::Counter>* bulk_items_;
  prometheus::Histogram* bulk_latency_;
  prometheus::Histogram* e2e_latency_;
  prometheus::Family<prometheus::Gauge>* consumer_lag_;
  prometheus::Family<prometheus::Gauge>* committed_offset_;
  prometheus::Gauge* buffered_bytes_;
  prometheus::Gauge* paused_partitions_;
  prometheus::Gauge* watermark_lag_;
  prometheus::Gauge* kafka_up_;
  prometheus::Gauge* sink_up_;
  prometheus::Counter* sink_retries_;
  std::mutex partitions_mu_;
  std::map<std::int32_t, PartitionSeries> partitions_;  // guarded by partitions_mu_
};

// Counts a batch's delivered documents into cdc_events_total a run at a time: consecutive
// documents of one table and operation (most of a batch) cost one label lookup together instead
// of one each, which with prometheus-cpp (label map built, hashed and looked up under a lock)
// cost more than the rest of acknowledging the document. The texts passed in must stay alive
// until the next Count with other texts, or Flush (the destructor flushes). One per batch.
class EventRunCounter {
 public:
  explicit EventRunCounter(Metrics* metrics) : metrics_(metrics) {}
  ~EventRunCounter() { Flush(); }
  EventRunCounter(const EventRunCounter&) = delete;
  EventRunCounter& operator=(const EventRunCounter&) = delete;

  void Count(std::string_view database, std::string_view table, Op op) {
    if (run_ > 0 && op == op_ && database == database_ && table == table_) {
      ++run_;
      return;
    }
    Flush();
    database_ = database;
    table_ = table;
    op_ = op;
    run_ = 1;
  }
  void Flush() {
    if (run_ > 0 && metrics_ != nullptr) {
      metrics_->CountEvent(database_, table_, op_, static_cast<double>(run_));
    }
    run_ = 0;
  }

 private:
  Metrics* metrics_;
  std::string_view database_;
  std::string_view table_;
  Op op_ = Op::kInsert;
  std::size_t run_ = 0;
};

}  // namespace cdc
