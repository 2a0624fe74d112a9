#include "source/kafka/kafka_source.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

namespace cdc::kafka {
namespace {

// What a document holds on to while it waits for its acknowledgement.
std::size_t DocumentBytes(const Document& doc) {
  return sizeof(SinkRecord) + doc.id.size() + doc.source_json.size() + doc.database.size() +
         doc.table.size();
}

void AtomicMax(std::atomic<std::uint64_t>& target, std::uint64_t value) {
  std::uint64_t seen = target.load(std::memory_order_relaxed);
  while (seen < value && !target.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

}  // namespace

KafkaSource::KafkaSource(KafkaSourceOptions options, Deps deps)
    : options_(std::move(options)),
      deps_(std::move(deps)),
      dead_letters_(
          [this](const MessageRef& ref, const DeadLetter& letter) {
            AckFanIn* acks = deps_.acks;
            deps_.dead_letters->Write(letter, [acks, ref](Status st) {
              acks->Push(AckItem{.ref = ref,
                                 .kind = st.ok() ? AckItem::Kind::kDeadLetterWritten
                                                 : AckItem::Kind::kDeadLetterFailed});
            });
          },
          options_.dead_letter_max_backoff),
      decode_pool_(std::make_unique<DecodePool>(deps_.decoder, deps_.helper_decoders)) {}

// The consumer is closed while every member is still alive: closing runs the revoke callback.
KafkaSource::~KafkaSource() { Close(); }

void KafkaSource::Close() {
  if (!consumer_) return;
  Status st = consumer_->Close();
  if (!st.ok()) Log(LogLevel::kWarn, st.ToString());
}

Status KafkaSource::Init() {
  auto consumer = KafkaConsumer::Create(KafkaConsumer::Options{
      .brokers = options_.brokers,
      .group = options_.group,
      .topic = options_.topic,
      .overrides = options_.rdkafka_overrides,
      .listener = this,
      .log = deps_.log,
  });
  if (!consumer) return consumer.error();
  consumer_ = std::move(*consumer);
  return consumer_->Subscribe();
}

Status KafkaSource::Run(std::chrono::milliseconds shutdown_deadline) {
  batch_.reserve(options_.batch_max_records);
  while (!stop_.load(std::memory_order_acquire)) {
    ApplyAcks();
    dead_letters_.RetryDue(Clock::now());
    if (!held_.empty() && deps_.sink->TrySubmit(held_)) held_.clear();
    UpdateBackPressure();
    if (held_.empty()) {
      PollRound();
      SubmitBatch();
    } else {
      // The sink is full: keep serving the group (heartbeats, rebalances, max.poll.interval)
      // while partitions are paused, and wake up as soon as the sink acknowledges something.
      if (MessagePtr msg = consumer_->Poll(std::chrono::milliseconds(0))) Collect(std::move(msg));
      FinishRound();
      SubmitBatch();
      deps_.acks->WaitForItems(std::chrono::milliseconds(10));
    }
    UpdateBackPressure();
    RefreshMetrics(Clock::now());
  }
  return Shutdown(shutdown_deadline);
}

void KafkaSource::PollRound() {
  MessagePtr msg = consumer_->Poll(std::chrono::milliseconds(0));
  if (!msg) {
    WakeStarvedFetcher();
    msg = consumer_->Poll(options_.poll_timeout);
  }
  // A rebalance callback may run inside any of these polls: OnRevoking drops what was collected
  // for the partitions it takes away, before anything of this round was registered.
  while (msg) {
    Collect(std::move(msg));
    if (batch_.size() + collected_.size() >= options_.batch_max_records ||
        stop_.load(std::memory_order_relaxed)) {
      break;
    }
    msg = consumer_->Poll(std::chrono::milliseconds(0));
  }
  FinishRound();
}

// Nothing is queued, yet a fetching partition is behind its high watermark: librdkafka (before
// 2.4) may be waiting out its one-second re-check after the prefetch queue was full (see
// KafkaConsumer::WakeFetcher). One partition per call, in turn, so that every broker leading a
// lagging partition is woken within a few rounds; the wait replaces part of the poll's own.
// Wake-ups that bring nothing (a leader down, a gap of control records or compacted offsets
// below the high watermark) back off up to librdkafka's own second, so an idle consumer does
// not send a request per poll.
void KafkaSource::WakeStarvedFetcher() {
  const Clock::time_point now = Clock::now();
  const std::uint64_t read = stats_.records_read.load(std::memory_order_relaxed);
  if (read == read_at_last_wake_) {
    if (now < next_wake_) return;
    wake_backoff_ = std::clamp(wake_backoff_ * 2, std::chrono::milliseconds(10),
                               std::chrono::milliseconds(1000));
  } else {
    wake_backoff_ = std::chrono::milliseconds(0);
  }
  std::vector<std::int32_t> fetching;
  for (std::int32_t p : assigned_) {
    if (!paused_parts_.contains(p)) fetching.push_back(p);
  }
  const std::vector<std::int32_t> behind = consumer_->BehindHighWatermark(fetching);
  if (behind.empty()) return;
  const auto next = std::upper_bound(behind.begin(), behind.end(), last_woken_partition_);
  last_woken_partition_ = next != behind.end() ? *next : behind.front();
  consumer_->WakeFetcher(last_woken_partition_, options_.poll_timeout);
  stats_.fetcher_wakeups.fetch_add(1, std::memory_order_relaxed);
  read_at_last_wake_ = read;
  next_wake_ = now + wake_backoff_;
}

void KafkaSource::SubmitBatch() {
  if (batch_.empty()) return;
  if (held_.empty() && deps_.sink->TrySubmit(batch_)) {
    batch_.clear();
    return;
  }
  // Refused: the batch waits in held_ (it stays registered, so its offsets cannot advance).
  if (held_.empty()) {
    held_.swap(batch_);
  } else {
    std::move(batch_.begin(), batch_.end(), std::back_inserter(held_));
  }
  batch_.clear();
}

void KafkaSource::Collect(MessagePtr msg) {
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    HandleConsumerError(*msg);
    return;
  }
  if (!kafka_up_.load(std::memory_order_relaxed)) {
    kafka_up_.store(true, std::memory_order_release);
    if (deps_.metrics != nullptr) deps_.metrics->SetKafkaUp(true);
  }
  stats_.records_read.fetch_add(1, std::memory_order_relaxed);
  collected_.push_back(std::move(msg));
}

void KafkaSource::FinishRound() {
  if (collected_.empty()) return;
  slots_.resize(collected_.size());
  for (std::size_t i = 0; i < collected_.size(); ++i) {
    slots_[i].payload =
        std::string_view(static_cast<const char*>(collected_[i]->payload), collected_[i]->len);
  }
  decode_pool_->DecodeAll(slots_);
  for (std::size_t i = 0; i < collected_.size(); ++i) Register(*collected_[i], slots_[i]);
  collected_.clear();  // the payloads the slots pointed into are released here
}

void KafkaSource::Register(const rd_kafka_message_t& msg, DecodeSlot& slot) {
  if (!slot.status.ok()) {
    DeadLetterPoison(msg, slot.status);
    return;
  }
  DecodedRecord& decoded = slot.record;
  if (decoded.watermark_ts) {
    newest_watermark_ = std::max(newest_watermark_.value_or(0), *decoded.watermark_ts);
  }
  std::size_t bytes = 0;
  for (const Document& doc : decoded.documents) bytes += DocumentBytes(doc);
  auto reg = tracker_.Register(msg.partition, msg.offset, decoded.documents.size(), bytes);
  if (!reg) return;  // a record of a partition revoked while it was queued
  if (reg->advanced) MarkDirty(msg.partition);
  for (Document& doc : decoded.documents) {
    batch_.push_back(SinkRecord{.doc = std::move(doc), .source = reg->ref});
  }
}

void KafkaSource::HandleConsumerError(const rd_kafka_message_t& msg) {
  if (msg.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
  // Consumer errors are informational (librdkafka retries by itself) unless fatal.
  Status st = StatusFromKafka(msg.err, fmt::format("consume partition {}", msg.partition));
  Log(LogLevel::kWarn, st.ToString());
  if (msg.err == RD_KAFKA_RESP_ERR__FATAL) OnKafkaError(st, true);
}

void KafkaSource::DeadLetterPoison(const rd_kafka_message_t& msg, const Status& error) {
  auto reg = tracker_.Register(msg.partition, msg.offset, 1, msg.len);
  if (!reg) return;
  const std::string slug = deps_.decoder->ErrorSlug(error);
  stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
  if (deps_.metrics != nullptr) deps_.metrics->CountDecodeError(slug);
  Log(LogLevel::kWarn, fmt::format("poison record partition={} offset={} reason=decode:{}",
                                   msg.partition, msg.offset, slug));
  DeadLetter letter{
      .value = std::string(static_cast<const char*>(msg.payload), msg.len),
      .reason = "decode:" + slug,
      .source_topic = options_.topic,
      .source_partition = msg.partition,
      .source_offset = msg.offset,
      .document_id = {},
  };
  dead_letters_.Add(reg->ref, std::move(letter));
}

void KafkaSource::ApplyAcks() {
  deps_.acks->Drain(&ack_buf_);
  for (const AckItem& item : ack_buf_) {
    if (item.kind == AckItem::Kind::kDeadLetterFailed) {
      Log(LogLevel::kWarn, fmt::format("dead-letter write failed partition={} offset={}; retrying",
                                       item.ref.partition, item.ref.offset));
      dead_letters_.OnFailed(item.ref, Clock::now());
      continue;
    }
    if (item.kind == AckItem::Kind::kDeadLetterWritten) {
      auto reason = dead_letters_.OnWritten(item.ref);
      if (!reason) continue;  // its partition was revoked meanwhile
      stats_.dead_letters_written.fetch_add(1, std::memory_order_relaxed);
      if (deps_.metrics != nullptr) deps_.metrics->CountDeadLetter(*reason);
    }
    if (tracker_.Ack(item.ref) == OffsetTracker::AckResult::kAdvanced)
      MarkDirty(item.ref.partition);
  }
  StoreDirtyOffsets();
}

void KafkaSource::MarkDirty(std::int32_t partition) {
  if (std::find(dirty_.begin(), dirty_.end(), partition) == dirty_.end()) {
    dirty_.push_back(partition);
  }
}

void KafkaSource::StoreDirtyOffsets() {
  if (dirty_.empty()) return;
  std::vector<std::pair<std::int32_t, std::int64_t>> offsets;
  for (std::int32_t partition : dirty_) {
    auto committable = tracker_.Committable(partition);
    if (!committable) continue;
    auto it = stored_.find(partition);
    if (it != stored_.end() && it->second >= *committable) continue;
    offsets.emplace_back(partition, *committable);
  }
  dirty_.clear();
  if (offsets.empty()) return;
  Status st = consumer_->StoreOffsets(offsets);
  if (!st.ok()) {
    // Only possible for a partition no longer assigned; the next ack stores again.
    Log(LogLevel::kWarn, st.ToString());
    return;
  }
  for (const auto& [partition, offset] : offsets) {
    stored_[partition] = offset;
    Notify(SourceEvent::Kind::kStored, partition, offset);
    if (deps_.metrics != nullptr) {
      deps_.metrics->SetCommittedOffset(partition, static_cast<double>(offset));
    }
  }
}

void KafkaSource::UpdateBackPressure() {
  const std::size_t buffered = tracker_.buffered_bytes();
  AtomicMax(stats_.peak_buffered_bytes, buffered);
  if (deps_.metrics != nullptr) deps_.metrics->SetBufferedBytes(static_cast<double>(buffered));
  if (!paused_ && (!held_.empty() || buffered > options_.max_buffered_bytes)) {
    paused_ = true;
    stats_.pauses.fetch_add(1, std::memory_order_relaxed);
  } else if (paused_ && held_.empty() && buffered < options_.max_buffered_bytes / 2) {
    paused_ = false;
  }
  SyncPausedPartitions();
}

// Makes the paused partitions match the back-pressure state. A partition is paused only once a
// record of its current assignment was consumed: librdkafka 2.0.2 resumes a partition paused
// before that at its fetch position, past the prefetched records the pause purged, and they
// would be skipped. Until then it keeps delivering, at most one poll round into the held batch.
void KafkaSource::SyncPausedPartitions() {
  std::vector<std::int32_t> change;
  if (paused_) {
    for (std::int32_t p : assigned_) {
      if (!paused_parts_.contains(p) && tracker_.HasRead(p)) change.push_back(p);
    }
  } else {
    change.assign(paused_parts_.begin(), paused_parts_.end());
  }
  if (change.empty()) return;
  Status st = paused_ ? consumer_->Pause(change) : consumer_->Resume(change);
  if (!st.ok()) {
    Log(LogLevel::kWarn, st.ToString());
    return;
  }
  for (std::int32_t p : change) {
    if (paused_) {
      paused_parts_.insert(p);
    } else {
      paused_parts_.erase(p);
    }
    Notify(paused_ ? SourceEvent::Kind::kPaused : SourceEvent::Kind::kResumed, p);
  }
  if (deps_.metrics != nullptr) {
    deps_.metrics->SetPausedPartitions(static_cast<double>(paused_parts_.size()));
  }
}

void KafkaSource::RefreshMetrics(Clock::time_point now) {
  if (now < next_metrics_ || deps_.metrics == nullptr) return;
  next_metrics_ = now + options_.metrics_interval;
  for (std::int32_t partition : assigned_) {
    auto marks = consumer_->CachedWatermarks(partition);
    if (!marks) continue;
    std::optional<std::int64_t> next = tracker_.OldestPending(partition);
    if (!next) next = tracker_.Committable(partition);
    if (!next) continue;  // nothing read yet: position unknown without a broker round trip
    deps_.metrics->SetConsumerLag(
        partition, static_cast<double>(std::max<std::int64_t>(0, marks->second - *next)));
  }
  if (newest_watermark_) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    deps_.metrics->SetWatermarkLagSeconds(
        static_cast<double>(now_ms - TsoPhysicalMs(*newest_watermark_)) / 1000.0);
  }
}

void KafkaSource::OnAssigned(const std::vector<std::int32_t>& partitions) {
  for (std::int32_t p : partitions) {
    tracker_.Assign(p);
    stored_.erase(p);
    assigned_.insert(p);
    Notify(SourceEvent::Kind::kAssigned, p);
  }
  stats_.assigned_partitions.store(assigned_.size(), std::memory_order_relaxed);
  // New partitions are paused by SyncPausedPartitions once they delivered their first record.
}

void KafkaSource::OnRevoking(const std::vector<std::int32_t>& partitions, bool lost) {
  if (!lost) {
    // Store what was acknowledged up to now and commit it while we still own the partitions.
    ApplyAcks();
    Status st = consumer_->CommitSync();
    if (!st.ok()) Log(LogLevel::kWarn, st.ToString());
  }
  // librdkafka keeps an application pause across assignments: a partition revoked while paused
  // would come back paused and never be fetched again. Resume it before it goes.
  std::vector<std::int32_t> paused;
  for (std::int32_t p : partitions) {
    if (paused_parts_.contains(p)) paused.push_back(p);
  }
  if (Status st = consumer_->Resume(paused); !st.ok()) Log(LogLevel::kWarn, st.ToString());
  const std::set<std::int32_t> revoked(partitions.begin(), partitions.end());
  for (std::int32_t p : partitions) {
    tracker_.Revoke(p);
    stored_.erase(p);
    assigned_.erase(p);
    paused_parts_.erase(p);
    std::erase(dirty_, p);
    dead_letters_.DropPartition(p);
    if (deps_.metrics != nullptr) deps_.metrics->RemovePartition(p);
    Notify(lost ? SourceEvent::Kind::kLost : SourceEvent::Kind::kRevoked, p);
  }
  // Records of revoked partitions that the sink has not taken yet are not worth sending: the
  // new owner reads them again.
  DropRecordsOf(revoked, &batch_);
  DropRecordsOf(revoked, &held_);
  std::erase_if(collected_,
                [&revoked](const MessagePtr& msg) { return revoked.contains(msg->partition); });
  stats_.revokes.fetch_add(1, std::memory_order_relaxed);
  if (lost) stats_.lost_assignments.fetch_add(1, std::memory_order_relaxed);
  stats_.assigned_partitions.store(assigned_.size(), std::memory_order_relaxed);
}

void KafkaSource::DropRecordsOf(const std::set<std::int32_t>& partitions, Batch* batch) {
  std::erase_if(*batch, [&partitions](const SinkRecord& r) {
    return partitions.contains(r.source.partition);
  });
}

void KafkaSource::OnKafkaError(const Status& error, bool fatal) {
  Log(fatal ? LogLevel::kError : LogLevel::kWarn, error.ToString());
  if (error.message().find("_ALL_BROKERS_DOWN") != std::string::npos ||
      error.message().find("All broker connections are down") != std::string::npos) {
    kafka_up_.store(false, std::memory_order_release);
    if (deps_.metrics != nullptr) deps_.metrics->SetKafkaUp(false);
  }
  if (fatal) {
    if (fatal_.ok()) fatal_ = error;
    RequestStop();
  }
}

Status KafkaSource::CheckReachable(std::chrono::milliseconds timeout) {
  if (!consumer_) return Status::Internal("kafka source not initialised");
  Status st = consumer_->CheckReachable(timeout);
  kafka_up_.store(st.ok(), std::memory_order_release);
  if (deps_.metrics != nullptr) deps_.metrics->SetKafkaUp(st.ok());
  return st;
}

void KafkaSource::Notify(SourceEvent::Kind kind, std::int32_t partition, std::int64_t offset) {
  if (options_.observer_for_test) {
    options_.observer_for_test(SourceEvent{.kind = kind, .partition = partition, .offset = offset});
  }
}

Status KafkaSource::Shutdown(std::chrono::milliseconds deadline) {
  const auto start = Clock::now();
  const auto until = start + deadline;
  // Each step's elapsed time at debug: a slow stop shows which step it waited on.
  const auto step = [this, start](std::string_view what) {
    Log(LogLevel::kDebug,
        fmt::format(
            "shutdown: {} after {} ms", what,
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count()));
  };
  if (deps_.on_stopping) deps_.on_stopping();
  step("health checks stopped");
  // Stop fetching; what was read but not handed to the sink is never acknowledged, so its
  // offsets stay uncommitted and it is read again after a restart.
  Status st = consumer_->Pause(std::vector<std::int32_t>(assigned_.begin(), assigned_.end()));
  if (!st.ok()) Log(LogLevel::kWarn, st.ToString());
  batch_.clear();
  held_.clear();
  collected_.clear();
  Status sink_status = deps_.sink->Stop(deadline);
  if (!sink_status.ok()) Log(LogLevel::kWarn, "sink stop: " + sink_status.ToString());
  step("sink stopped");
  // Dead letters still being written get the rest of the deadline.
  ApplyAcks();
  while (!dead_letters_.empty() && Clock::now() < until) {
    deps_.acks->WaitForItems(
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()));
    ApplyAcks();
  }
  step("dead letters settled");
  bool superseded = false;
  st = consumer_->CommitSync(&superseded);
  if (!st.ok()) Log(LogLevel::kWarn, "final commit: " + st.ToString());
  if (superseded) {
    // A stop during a rebalance (several members stopping at once, a rolling restart): not an
    // error of this process. The records after the last committed offset are read again by
    // their next owner and answered as duplicates (deterministic ids).
    Log(LogLevel::kWarn,
        "final commit refused: the group is rebalancing; the partitions' next owner re-reads "
        "from the last committed offset");
    st = Status::Ok();
  }
  step("final commit done");
  Status close = consumer_->Close();  // the last revoke commits again
  if (!close.ok()) Log(LogLevel::kWarn, close.ToString());
  Log(LogLevel::kInfo, fmt::format("kafka source stopped: records_read={} pending_records={}",
                                   stats_.records_read.load(), tracker_.pending_records()));
  if (!fatal_.ok()) return fatal_;
  return st.ok() ? close : st;
}

}  // namespace cdc::kafka
