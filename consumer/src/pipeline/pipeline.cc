#include "pipeline/pipeline.h"

#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/thread_name.h"
#include "pipeline/canal_message_decoder.h"
#include "source/kafka/ack_fan_in.h"
#include "source/kafka/kafka_consumer.h"
#include "source/kafka/kafka_dead_letter_writer.h"
#include "source/kafka/kafka_source.h"

namespace cdc {
namespace {

std::shared_ptr<spdlog::logger> KafkaLogger() {
  static const std::shared_ptr<spdlog::logger> logger = spdlog::default_logger()->clone("kafka");
  return logger;
}

// The Kafka module logs through this function (it does not link spdlog itself).
kafka::LogFn MakeLogFn() {
  std::shared_ptr<spdlog::logger> logger = KafkaLogger();
  return [logger](kafka::LogLevel level, std::string_view msg) {
    switch (level) {
      case kafka::LogLevel::kDebug:
        logger->debug("{}", msg);
        break;
      case kafka::LogLevel::kInfo:
        logger->info("{}", msg);
        break;
      case kafka::LogLevel::kWarn:
        logger->warn("{}", msg);
        break;
      case kafka::LogLevel::kError:
        logger->error("{}", msg);
        break;
    }
  };
}

kafka::KafkaDeadLetterWriterOptions DeadLetterOptions(const KafkaSourceOptions& kafka) {
  return kafka::KafkaDeadLetterWriterOptions{
      .brokers = kafka.brokers,
      .topic = kafka.dlq_topic,
      .overrides = kafka.rdkafka_overrides,
      .log = MakeLogFn(),
      .close_timeout = std::chrono::milliseconds(5000),
  };
}

}  // namespace

Pipeline::Pipeline(PipelineOptions options, SinkFactory make_sink, Metrics* metrics)
    : options_(std::move(options)), make_sink_(std::move(make_sink)), metrics_(metrics) {}

Pipeline::~Pipeline() {
  if (started_ && !waited_) {
    RequestStop();
    (void)Wait();
  }
  TearDown();
  source_.reset();
  decoder_.reset();
  helper_decoders_.clear();
  acks_.reset();
}

Status Pipeline::Validate() const {
  std::vector<std::string> errors;
  auto collect = [&errors](const Status& st) {
    if (!st.ok()) errors.push_back(st.message());
  };
  collect(ValidateKafkaSourceOptions(options_.kafka));
  if (options_.shutdown_deadline.count() <= 0) errors.push_back("shutdown_deadline: must be > 0");
  if (!make_sink_) errors.push_back("sink: no sink factory");
  collect(kafka::KafkaConsumer::CheckConfig(kafka::KafkaConsumer::Options{
      .brokers = options_.kafka.brokers,
      .group = options_.kafka.group,
      .topic = options_.kafka.topic,
      .overrides = options_.kafka.rdkafka_overrides,
      .listener = nullptr,
      .log = {},
  }));
  // The producer accepts the same -X list; report only what the consumer check did not.
  Status producer = kafka::KafkaDeadLetterWriter::CheckConfig(DeadLetterOptions(options_.kafka));
  if (!producer.ok() && errors.empty()) errors.push_back(producer.message());
  if (errors.empty()) return Status::Ok();
  return Status::InvalidConfig(fmt::format("{}", fmt::join(errors, "; ")));
}

Status Pipeline::Start() {
  if (started_) return Status::Internal("pipeline already started");
  if (Status st = Validate(); !st.ok()) return st;
  if (Status st = Build(); !st.ok()) {
    TearDown();
    return st;
  }
  started_ = true;
  running_.store(true, std::memory_order_release);
  {
    // A stop requested while Build ran (a SIGTERM during startup) found no source to tell;
    // tell it now, so Run returns at once instead of consuming until the next signal.
    std::lock_guard lock(mu_);
    if (stop_requested_) source_->RequestStop();
  }
  health_thread_ = std::thread([this] {
    SetCurrentThreadName("cdc-health");
    HealthLoop();
  });
  poll_thread_ = std::thread([this] {
    SetCurrentThreadName("cdc-poll");
    PollThread();
  });
  return Status::Ok();
}

Status Pipeline::Build() {
  acks_ = std::make_unique<kafka::AckFanIn>();
  auto dlq = kafka::KafkaDeadLetterWriter::Create(DeadLetterOptions(options_.kafka));
  if (!dlq) return dlq.error();
  dead_letters_ = std::move(*dlq);
  auto sink = make_sink_(acks_.get(), dead_letters_.get());
  if (!sink) return sink.error();
  if (*sink == nullptr) return Status::Internal("sink factory returned no sink");
  sink_ = std::move(*sink);
  if (Status st = sink_->Start(); !st.ok()) return st;
  sink_started_ = true;
  decoder_ = std::make_unique<CanalMessageDecoder>(options_.shaper);
  std::vector<kafka::MessageDecoder*> helpers;
  for (std::size_t i = 1; i < options_.kafka.decode_threads; ++i) {
    helper_decoders_.push_back(std::make_unique<CanalMessageDecoder>(options_.shaper));
    helpers.push_back(helper_decoders_.back().get());
  }
  auto source = std::make_unique<kafka::KafkaSource>(
      options_.kafka, kafka::KafkaSource::Deps{
                          .decoder = decoder_.get(),
                          .helper_decoders = std::move(helpers),
                          .sink = sink_.get(),
                          .dead_letters = dead_letters_.get(),
                          .acks = acks_.get(),
                          .metrics = metrics_,
                          .log = MakeLogFn(),
                          .on_stopping = [this] { StopHealthThread(); },
                      });
  {
    // Published under mu_: RequestStop reads it from the signal thread.
    std::lock_guard lock(mu_);
    source_ = std::move(source);
  }
  return source_->Init();
}

void Pipeline::PollThread() {
  try {
    run_status_ = source_->Run(options_.shutdown_deadline);
    sink_stopped_.store(true, std::memory_order_release);
  } catch (const std::exception& e) {
    // Nothing on the per-record path throws by design; if something does, stop cleanly.
    run_status_ = Status::Internal(fmt::format("poll thread: {}", e.what()));
  } catch (...) {
    run_status_ = Status::Internal("poll thread: unknown exception");
  }
  if (!run_status_.ok()) {
    failed_.store(true, std::memory_order_release);
    KafkaLogger()->error("pipeline stopped with error: {}", run_status_.ToString());
  }
}

void Pipeline::RequestStop() {
  kafka::KafkaSource* source = nullptr;
  {
    std::lock_guard lock(mu_);
    stop_requested_ = true;
    source = source_.get();
  }
  cv_.notify_all();
  // The source lives until the destructor, which runs after every caller of RequestStop.
  if (source != nullptr) source->RequestStop();
}

Status Pipeline::Wait() {
  if (!started_) return Status::Internal("pipeline not started");
  if (waited_) return run_status_;
  if (poll_thread_.joinable()) poll_thread_.join();
  StopHealthThread();
  waited_ = true;
  if (!sink_stopped_.load(std::memory_order_acquire) && sink_started_) {
    Status st = sink_->Stop(options_.shutdown_deadline);
    if (!st.ok()) KafkaLogger()->warn("sink stop: {}", st.ToString());
  }
  sink_stopped_.store(true, std::memory_order_release);
  running_.store(false, std::memory_order_release);
  // The sink and the writer stay alive (stopped) until the destructor, so that their state can
  // still be read.
  return run_status_;
}

void Pipeline::TearDown() {
  // Order matters: the sink references the writer, and dead-letter completions push into the
  // fan-in, which goes last (with the source, in the destructor, so that KafkaReachable never
  // reads a destroyed source).
  running_.store(false, std::memory_order_release);
  if (source_) source_->Close();
  if (sink_started_ && !sink_stopped_.load(std::memory_order_acquire)) {
    (void)sink_->Stop(std::chrono::milliseconds(0));
    sink_stopped_.store(true, std::memory_order_release);
  }
  sink_.reset();
  dead_letters_.reset();
}

void Pipeline::HealthLoop() {
  std::unique_lock lock(mu_);
  while (!stop_requested_) {
    lock.unlock();
    const bool sink_ok = sink_->Healthcheck().ok() && !failed_.load(std::memory_order_acquire);
    sink_healthy_.store(sink_ok, std::memory_order_release);
    if (metrics_ != nullptr) metrics_->SetSinkUp(sink_ok);
    (void)source_->CheckReachable(
        std::min(options_.kafka.health_interval, std::chrono::milliseconds(5000)));
    lock.lock();
    cv_.wait_for(lock, options_.kafka.health_interval, [this] { return stop_requested_; });
  }
}

void Pipeline::StopHealthThread() {
  {
    std::lock_guard lock(mu_);
    stop_requested_ = true;
  }
  cv_.notify_all();
  // Called from the poll thread during shutdown and from Wait; joining twice is not possible.
  std::lock_guard join_lock(health_join_mu_);
  if (health_thread_.joinable()) health_thread_.join();
}

bool Pipeline::KafkaReachable() const {
  // source_ is set before running_ turns true and destroyed only by the destructor.
  return running_.load(std::memory_order_acquire) && !failed_.load(std::memory_order_acquire) &&
         source_->KafkaReachable();
}

const kafka::SourceStats* Pipeline::StatsForTest() const {
  return source_ ? &source_->stats() : nullptr;
}

}  // namespace cdc
