#include "source/kafka/kafka_consumer.h"

#include <array>
#include <cstring>

#include <fmt/format.h>

namespace cdc::kafka {
namespace {

// Defaults that make the source at-least-once: offsets are stored only by us (after the sink
// acknowledged), committed in the background and on revoke/close; a group with no committed
// offset starts from the oldest record, never skipping history.
KafkaProperties DefaultConsumerProperties(const KafkaConsumer::Options& options) {
  return {
      {"bootstrap.servers", options.brokers},
      {"group.id", options.group},
      {"client.id", "cdc-consumer"},
      {"enable.auto.commit", "true"},
      {"auto.commit.interval.ms", "1000"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
      // librdkafka prefetches up to 64 MiB by default; a smaller queue keeps RSS bounded.
      {"queued.max.messages.kbytes", "16384"},
  };
}

}  // namespace

Result<ConfPtr> KafkaConsumer::BuildConf(const Options& options, void* opaque) {
  KafkaConf conf;
  std::string errors;
  auto add_error = [&errors](const Status& st) {
    if (st.ok()) return;
    if (!errors.empty()) errors += "; ";
    errors += st.message();
  };
  add_error(conf.SetAll(DefaultConsumerProperties(options)));
  add_error(conf.SetAll(options.overrides));
  for (const auto& [key, value] : options.overrides) {
    if (key == "enable.auto.offset.store" && value != "false") {
      add_error(
          Status::InvalidConfig("-X enable.auto.offset.store: must stay false (offsets are stored "
                                "after acknowledgement)"));
    }
  }
  if (!errors.empty()) return Err(Status::InvalidConfig(std::move(errors)));
  rd_kafka_conf_set_opaque(conf.get(), opaque);
  rd_kafka_conf_set_rebalance_cb(conf.get(), &KafkaConsumer::RebalanceCallback);
  rd_kafka_conf_set_error_cb(conf.get(), &KafkaConsumer::ErrorCallback);
  rd_kafka_conf_set_log_cb(conf.get(), &KafkaConsumer::LogCallback);
  return conf.Release();
}

Status KafkaConsumer::CheckConfig(const Options& options) {
  auto conf = BuildConf(options, nullptr);
  return conf ? Status::Ok() : conf.error();
}

Result<std::unique_ptr<KafkaConsumer>> KafkaConsumer::Create(Options options) {
  std::unique_ptr<KafkaConsumer> consumer(new KafkaConsumer(std::move(options)));
  auto conf = BuildConf(consumer->options_, consumer.get());
  if (!conf) return Err(conf.error());
  auto rk = NewClient(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk) return Err(rk.error());
  consumer->rk_ = std::move(*rk);
  // Serve rebalance and error callbacks from rd_kafka_consumer_poll, on the poll thread.
  Status st = StatusFromKafka(rd_kafka_poll_set_consumer(consumer->rk_.get()), "poll_set_consumer");
  if (!st.ok()) return Err(st);
  return consumer;
}

KafkaConsumer::~KafkaConsumer() {
  if (rk_ && !closed_) (void)Close();
}

Status KafkaConsumer::Subscribe() {
  PartitionList topics(1);
  topics.Add(options_.topic, RD_KAFKA_PARTITION_UA);
  return StatusFromKafka(rd_kafka_subscribe(rk_.get(), topics.get()), "subscribe");
}

MessagePtr KafkaConsumer::Poll(std::chrono::milliseconds timeout) {
  return MessagePtr(rd_kafka_consumer_poll(rk_.get(), static_cast<int>(timeout.count())));
}

Status KafkaConsumer::StoreOffsets(
    const std::vector<std::pair<std::int32_t, std::int64_t>>& offsets) {
  if (offsets.empty()) return Status::Ok();
  PartitionList list(static_cast<int>(offsets.size()));
  for (const auto& [partition, offset] : offsets) list.Add(options_.topic, partition, offset);
  Status st = StatusFromKafka(rd_kafka_offsets_store(rk_.get(), list.get()), "offsets_store");
  if (!st.ok()) return st;
  for (int i = 0; i < list.size(); ++i) {
    if (list[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return StatusFromKafka(list[i].err,
                             fmt::format("offsets_store partition {}", list[i].partition));
    }
  }
  return Status::Ok();
}

Status KafkaConsumer::CommitSync(bool* superseded) {
  const rd_kafka_resp_err_t err = rd_kafka_commit(rk_.get(), nullptr, 0);
  if (superseded != nullptr) {
    *superseded = err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
                  err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
                  err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID;
  }
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return Status::Ok();
  return StatusFromKafka(err, "commit");
}

Status KafkaConsumer::ToggleFetch(const std::vector<std::int32_t>& partitions, bool pause) {
  if (partitions.empty()) return Status::Ok();
  PartitionList list(static_cast<int>(partitions.size()));
  for (std::int32_t p : partitions) list.Add(options_.topic, p);
  const rd_kafka_resp_err_t err = pause ? rd_kafka_pause_partitions(rk_.get(), list.get())
                                        : rd_kafka_resume_partitions(rk_.get(), list.get());
  return StatusFromKafka(err, pause ? "pause_partitions" : "resume_partitions");
}

Status KafkaConsumer::Pause(const std::vector<std::int32_t>& partitions) {
  return ToggleFetch(partitions, true);
}

Status KafkaConsumer::Resume(const std::vector<std::int32_t>& partitions) {
  return ToggleFetch(partitions, false);
}

Status KafkaConsumer::Close() {
  if (closed_) return Status::Ok();
  closed_ = true;
  return StatusFromKafka(rd_kafka_consumer_close(rk_.get()), "consumer_close");
}

std::optional<std::pair<std::int64_t, std::int64_t>> KafkaConsumer::CachedWatermarks(
    std::int32_t partition) {
  std::int64_t low = -1;
  std::int64_t high = -1;
  const rd_kafka_resp_err_t err =
      rd_kafka_get_watermark_offsets(rk_.get(), options_.topic.c_str(), partition, &low, &high);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR || high < 0) return std::nullopt;
  return std::make_pair(low, high);
}

std::vector<std::int32_t> KafkaConsumer::BehindHighWatermark(
    const std::vector<std::int32_t>& partitions) {
  std::vector<std::int32_t> behind;
  if (partitions.empty()) return behind;
  PartitionList list(static_cast<int>(partitions.size()));
  for (std::int32_t p : partitions) list.Add(options_.topic, p);
  if (rd_kafka_position(rk_.get(), list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return behind;
  for (int i = 0; i < list.size(); ++i) {
    const std::int64_t position = list[i].offset;
    if (list[i].err != RD_KAFKA_RESP_ERR_NO_ERROR || position < 0) continue;
    auto marks = CachedWatermarks(list[i].partition);
    if (marks && marks->second > position) behind.push_back(list[i].partition);
  }
  return behind;
}

void KafkaConsumer::WakeFetcher(std::int32_t partition, std::chrono::milliseconds timeout) {
  std::int64_t low = -1;
  std::int64_t high = -1;
  // The answer does not matter, only that the request reached the broker thread.
  (void)rd_kafka_query_watermark_offsets(rk_.get(), options_.topic.c_str(), partition, &low, &high,
                                         static_cast<int>(timeout.count()));
}

Status KafkaConsumer::CheckReachable(std::chrono::milliseconds timeout) {
  const struct rd_kafka_metadata* metadata = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk_.get(), 0, nullptr, &metadata, static_cast<int>(timeout.count()));
  if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
  return StatusFromKafka(err, "metadata");
}

void KafkaConsumer::RebalanceCallback(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                                      rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<KafkaConsumer*>(opaque)->OnRebalance(err, partitions);
}

void KafkaConsumer::OnRebalance(rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions) {
  rd_kafka_t* rk = rk_.get();
  const char* protocol = rd_kafka_rebalance_protocol(rk);
  const bool cooperative = protocol != nullptr && std::strcmp(protocol, "COOPERATIVE") == 0;
  const std::vector<std::int32_t> parts = PartitionsOf(partitions, options_.topic);
  Status st;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    st = cooperative ? StatusFromKafkaError(rd_kafka_incremental_assign(rk, partitions),
                                            "incremental_assign")
                     : StatusFromKafka(rd_kafka_assign(rk, partitions), "assign");
    Log(LogLevel::kInfo, fmt::format("assigned {} partition(s) protocol={}", parts.size(),
                                     protocol != nullptr ? protocol : "?"));
    if (options_.listener != nullptr) options_.listener->OnAssigned(parts);
  } else {
    // A revoke, or a rebalance error, after which librdkafka expects everything unassigned.
    const bool lost =
        err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS || rd_kafka_assignment_lost(rk) != 0;
    if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      Log(LogLevel::kWarn, fmt::format("rebalance error: {}", rd_kafka_err2name(err)));
    }
    Log(LogLevel::kInfo, fmt::format("revoking {} partition(s) lost={}", parts.size(), lost));
    if (options_.listener != nullptr) options_.listener->OnRevoking(parts, lost);
    if (cooperative && err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      st = StatusFromKafkaError(rd_kafka_incremental_unassign(rk, partitions),
                                "incremental_unassign");
    } else {
      st = StatusFromKafka(rd_kafka_assign(rk, nullptr), "unassign");
    }
  }
  if (!st.ok() && options_.listener != nullptr) options_.listener->OnKafkaError(st, false);
}

void KafkaConsumer::ErrorCallback(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaConsumer*>(opaque);
  if (self == nullptr || self->options_.listener == nullptr) return;
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  bool fatal = false;
  Status st = StatusFromKafka(code, reason != nullptr ? reason : "kafka");
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    fatal = true;
    std::array<char, 512> errstr{};
    const rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, errstr.data(), errstr.size());
    st = StatusFromKafka(orig, fmt::format("fatal: {}", errstr.data()));
  }
  self->options_.listener->OnKafkaError(st, fatal);
}

void KafkaConsumer::LogCallback(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  auto* self = static_cast<KafkaConsumer*>(rd_kafka_opaque(rk));
  if (self == nullptr) return;
  const LogLevel mapped = LibrdkafkaLogLevel(level, fac);
  self->Log(mapped, fmt::format("librdkafka {}: {}", fac, buf));
}

}  // namespace cdc::kafka
