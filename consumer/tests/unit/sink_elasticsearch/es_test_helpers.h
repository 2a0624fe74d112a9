#pragma once

// Helpers shared by the Elasticsearch sink tests: an AckSink that proves exactly-once, a
// DeadLetterWriter a test can fail or hold, and record builders.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/sink_record.h"
#include "sink/dead_letter.h"
#include "sink/elasticsearch/elasticsearch_sink_options.h"
#include "sink/sink.h"
#include "support/test_env.h"

namespace cdc::testing {

// Counts acknowledgements per (partition, offset); any second ack of a record is recorded as a
// duplicate. Thread-safe.
class RecordingAckSink final : public AckSink {
 public:
  // Runs inside every Ack (before it is counted), e.g. to sample the fake's request count.
  void SetOnAck(std::function<void(const SinkRecord&)> hook) {
    std::lock_guard lock(mu_);
    on_ack_ = std::move(hook);
  }
  void Ack(const SinkRecord& record, DeliveryOutcome outcome) override {
    std::lock_guard lock(mu_);
    if (on_ack_) on_ack_(record);
    auto key = std::make_pair(record.source.partition, record.source.offset);
    if (acks_.count(key) > 0) ++duplicates_;
    acks_[key] = outcome;
    if (outcome == DeliveryOutcome::kDelivered)
      ++delivered_;
    else
      ++dead_lettered_;
  }
  std::size_t total() const {
    std::lock_guard lock(mu_);
    return delivered_ + dead_lettered_;
  }
  std::size_t delivered() const {
    std::lock_guard lock(mu_);
    return delivered_;
  }
  std::size_t dead_lettered() const {
    std::lock_guard lock(mu_);
    return dead_lettered_;
  }
  std::size_t duplicates() const {
    std::lock_guard lock(mu_);
    return duplicates_;
  }
  bool Acked(std::int64_t offset, std::int32_t partition = 0) const {
    std::lock_guard lock(mu_);
    return acks_.count({partition, offset}) > 0;
  }
  std::optional<DeliveryOutcome> OutcomeOf(std::int64_t offset, std::int32_t partition = 0) const {
    std::lock_guard lock(mu_);
    auto it = acks_.find({partition, offset});
    if (it == acks_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mu_;
  std::function<void(const SinkRecord&)> on_ack_;
  std::map<std::pair<std::int32_t, std::int64_t>, DeliveryOutcome> acks_;
  std::size_t delivered_ = 0, dead_lettered_ = 0, duplicates_ = 0;
};

// Completes writes at once (ok), fails the next N, or holds completions until Release().
// Callbacks always run without this writer's lock held. Thread-safe.
class ControlledDeadLetterWriter final : public DeadLetterWriter {
 public:
  void Write(DeadLetter letter, std::function<void(Status)> done) override {
    Status status;
    {
      std::lock_guard lock(mu_);
      ++attempts_;
      if (fail_next_ > 0) {
        --fail_next_;
        status = Status::Transient("dlq broker unavailable");
      } else {
        if (hold_) {
          held_.emplace_back(std::move(letter), std::move(done));
          return;
        }
        letters_.push_back(letter);
      }
    }
    done(status);
  }
  void FailNext(int n) {
    std::lock_guard lock(mu_);
    fail_next_ = n;
  }
  void Hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  // Completes every held write with ok.
  void Release() {
    std::vector<std::pair<DeadLetter, std::function<void(Status)>>> held;
    {
      std::lock_guard lock(mu_);
      hold_ = false;
      held.swap(held_);
      for (auto& [letter, done] : held) letters_.push_back(letter);
    }
    for (auto& [letter, done] : held) done(Status::Ok());
  }
  std::size_t held() const {
    std::lock_guard lock(mu_);
    return held_.size();
  }
  std::vector<DeadLetter> letters() const {
    std::lock_guard lock(mu_);
    return letters_;
  }
  int attempts() const {
    std::lock_guard lock(mu_);
    return attempts_;
  }

 private:
  mutable std::mutex mu_;
  int fail_next_ = 0;
  int attempts_ = 0;
  bool hold_ = false;
  std::vector<std::pair<DeadLetter, std::function<void(Status)>>> held_;
  std::vector<DeadLetter> letters_;
};

// The id of test record `i`: what the fake stores it under.
inline std::string TestId(std::int64_t i) { return "appdb.users:" + std::to_string(i) + ":4438"; }

inline SinkRecord TestRecord(std::int64_t i, std::int32_t partition = 0) {
  SinkRecord r;
  r.doc.id = TestId(i);
  r.doc.source_json = R"({"database":"appdb","table":"users","type":"insert","data":{"id":")" +
                      std::to_string(i) + R"(","name":"user)" + std::to_string(i) + R"("}})";
  r.doc.op = Op::kInsert;
  r.doc.database = "appdb";
  r.doc.table = "users";
  r.doc.commit_ts = 443852055297916932ULL + static_cast<std::uint64_t>(i);
  r.doc.event_time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() -
                        100;
  r.source.partition = partition;
  r.source.offset = i;
  return r;
}

// Records [first, first + n).
inline Batch TestBatch(std::int64_t first, std::int64_t n, std::int32_t partition = 0) {
  Batch b;
  for (std::int64_t i = first; i < first + n; ++i) b.push_back(TestRecord(i, partition));
  return b;
}

// Small, fast settings: tiny linger and backoffs so retries happen in milliseconds.
// The value of one sample line of the text exposition ("name{labels}"), or 0 when absent.
inline double MetricValue(const std::string& exposition, const std::string& sample) {
  const auto pos = exposition.find("\n" + sample + " ");
  if (pos == std::string::npos) return 0;
  return std::stod(exposition.substr(pos + sample.size() + 2));
}

inline ElasticsearchSinkOptions FastOptions(const std::string& url) {
  ElasticsearchSinkOptions o;
  o.urls = {url};
  o.linger = std::chrono::milliseconds(2);
  o.retry_initial = std::chrono::milliseconds(1);
  o.retry_max = std::chrono::milliseconds(20);
  o.request_timeout = Scaled(std::chrono::milliseconds(5000));
  o.connect_timeout = Scaled(std::chrono::milliseconds(1000));
  o.random_seed = 42;
  return o;
}

}  // namespace cdc::testing
