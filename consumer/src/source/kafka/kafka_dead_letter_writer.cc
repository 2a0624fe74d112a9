#include "source/kafka/kafka_dead_letter_writer.h"
#include "core/thread_name.h"

#include <fmt/format.h>

namespace cdc::kafka {
namespace {

using DoneFn = std::function<void(Status)>;

Status AddHeader(rd_kafka_headers_t* headers, const char* name, const std::string& value) {
  return StatusFromKafka(
      rd_kafka_header_add(headers, name, -1, value.data(), static_cast<ssize_t>(value.size())),
      "header_add");
}

}  // namespace

Result<ConfPtr> KafkaDeadLetterWriter::BuildConf(const KafkaDeadLetterWriterOptions& options) {
  KafkaConf conf;
  // Durable and without duplicates from producer retries; then the user's -X list, which may
  // carry security settings shared with the consumer.
  const KafkaProperties defaults = {
      {"bootstrap.servers", options.brokers},
      {"client.id", "cdc-consumer-dlq"},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      {"message.timeout.ms", "60000"},
  };
  std::string errors;
  for (const KafkaProperties* props : {&defaults, &options.overrides}) {
    Status st = conf.SetAll(*props);
    if (st.ok()) continue;
    if (!errors.empty()) errors += "; ";
    errors += st.message();
  }
  if (!errors.empty()) return Err(Status::InvalidConfig("dead-letter producer: " + errors));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaDeadLetterWriter::DeliveryCallback);
  rd_kafka_conf_set_log_cb(conf.get(), &KafkaDeadLetterWriter::LogCallback);
  return conf.Release();
}

Status KafkaDeadLetterWriter::CheckConfig(const KafkaDeadLetterWriterOptions& options) {
  auto conf = BuildConf(options);
  return conf ? Status::Ok() : conf.error();
}

Result<std::unique_ptr<KafkaDeadLetterWriter>> KafkaDeadLetterWriter::Create(
    KafkaDeadLetterWriterOptions options) {
  std::unique_ptr<KafkaDeadLetterWriter> writer(new KafkaDeadLetterWriter(std::move(options)));
  auto conf = BuildConf(writer->options_);
  if (!conf) return Err(conf.error());
  rd_kafka_conf_set_opaque(conf->get(), writer.get());
  auto rk = NewClient(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) return Err(rk.error());
  writer->rk_ = std::move(*rk);
  writer->poller_ = std::thread([w = writer.get()] {
    SetCurrentThreadName("cdc-dlq");
    w->PollLoop();
  });
  return writer;
}

KafkaDeadLetterWriter::~KafkaDeadLetterWriter() {
  stop_.store(true, std::memory_order_release);
  if (poller_.joinable()) poller_.join();
  if (!rk_) return;
  Status st = Flush(options_.close_timeout);
  if (!st.ok()) {
    if (options_.log) options_.log(LogLevel::kWarn, "dead-letter writer: " + st.ToString());
    // Fail what is left so that every `done` runs exactly once.
    (void)rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    (void)rd_kafka_flush(rk_.get(), 1000);
  }
}

void KafkaDeadLetterWriter::PollLoop() {
  while (!stop_.load(std::memory_order_acquire)) rd_kafka_poll(rk_.get(), 100);
}

Status KafkaDeadLetterWriter::Flush(std::chrono::milliseconds timeout) {
  return StatusFromKafka(rd_kafka_flush(rk_.get(), static_cast<int>(timeout.count())),
                         "dead-letter flush");
}

void KafkaDeadLetterWriter::Write(DeadLetter letter, std::function<void(Status)> done) {
  HeadersPtr headers(rd_kafka_headers_new(5));
  Status st = AddHeader(headers.get(), "cdc.reason", letter.reason);
  if (st.ok()) st = AddHeader(headers.get(), "cdc.source.topic", letter.source_topic);
  if (st.ok()) {
    st = AddHeader(headers.get(), "cdc.source.partition", std::to_string(letter.source_partition));
  }
  if (st.ok()) {
    st = AddHeader(headers.get(), "cdc.source.offset", std::to_string(letter.source_offset));
  }
  if (st.ok()) st = AddHeader(headers.get(), "cdc.document.id", letter.document_id);
  if (!st.ok()) {
    done(st);
    return;
  }
  auto* opaque = new DoneFn(std::move(done));
  const std::string& key = letter.document_id;
  const rd_kafka_resp_err_t err = rd_kafka_producev(
      rk_.get(), RD_KAFKA_V_TOPIC(options_.topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_VALUE(letter.value.data(), letter.value.size()),
      RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
      RD_KAFKA_V_HEADERS(headers.get()), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::unique_ptr<DoneFn> owned(opaque);
    (*owned)(StatusFromKafka(err, "dead-letter produce"));
    return;
  }
  (void)headers.release();  // owned by the message now
}

void KafkaDeadLetterWriter::DeliveryCallback(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg,
                                             void* /*opaque*/) {
  std::unique_ptr<DoneFn> done(static_cast<DoneFn*>(msg->_private));
  if (!done) return;
  (*done)(StatusFromKafka(msg->err, "dead-letter delivery"));
}

void KafkaDeadLetterWriter::LogCallback(const rd_kafka_t* rk, int level, const char* fac,
                                        const char* buf) {
  auto* self = static_cast<KafkaDeadLetterWriter*>(rd_kafka_opaque(rk));
  if (self == nullptr || !self->options_.log) return;
  self->options_.log(LibrdkafkaLogLevel(level, fac),
                     fmt::format("dlq librdkafka {}: {}", fac, buf));
}

}  // namespace cdc::kafka
