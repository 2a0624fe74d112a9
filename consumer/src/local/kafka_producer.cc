#include "local/kafka_producer.h"

#include <thread>

namespace cdc {

Result<RdKafkaConf> MakeRdKafkaConf(const std::map<std::string, std::string>& settings) {
  RdKafkaConf conf(rd_kafka_conf_new());
  char err[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), err, sizeof err) !=
        RD_KAFKA_CONF_OK) {
      return Err(Status::InvalidConfig("librdkafka rejects property '" + key + "'"));
    }
  }
  return conf;
}

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::Create(const std::string& brokers) {
  auto conf = MakeRdKafkaConf({{"bootstrap.servers", brokers},
                               {"linger.ms", "5"},
                               {"acks", "all"},
                               {"enable.idempotence", "true"},
                               {"client.id", "cdc-feed-simulator"}});
  if (!conf) return Err(conf.error());
  std::unique_ptr<KafkaProducer> producer(new KafkaProducer());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &KafkaProducer::OnDelivery);
  rd_kafka_conf_set_opaque(conf->get(), producer.get());
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), err, sizeof err);
  if (rk == nullptr) return Err(Status::InvalidConfig(std::string("rd_kafka_new: ") + err));
  conf->release();  // owned by rk now
  producer->rk_.reset(rk);
  return producer;
}

void KafkaProducer::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->failed_.fetch_add(1);
  } else {
    self->delivered_.fetch_add(1);
  }
}

Status KafkaProducer::Produce(const std::string& topic, std::int32_t partition,
                              std::string_view value, std::chrono::milliseconds block_for) {
  const auto deadline = std::chrono::steady_clock::now() + block_for;
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_poll(rk_.get(), 0);
      return Status::Ok();
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || std::chrono::steady_clock::now() > deadline) {
      return Status::Transient(std::string("produce: ") + rd_kafka_err2str(err));
    }
    rd_kafka_poll(rk_.get(), 50);
  }
}

Status KafkaProducer::Flush(std::chrono::milliseconds timeout) {
  const rd_kafka_resp_err_t err = rd_kafka_flush(rk_.get(), static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Transient(std::string("flush: ") + rd_kafka_err2str(err));
  }
  return Status::Ok();
}

Result<std::int32_t> KafkaProducer::PartitionCount(const std::string& topic,
                                                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr);
  if (rkt == nullptr) return Err(Status::InvalidConfig("cannot use topic '" + topic + "'"));
  std::string last_error = "timed out";
  for (;;) {
    const rd_kafka_metadata_t* md = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk_.get(), 0, rkt, &md, 2000);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::int32_t count = -1;
      if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        count = md->topics[0].partition_cnt;
      } else if (md->topic_cnt == 1) {
        last_error = rd_kafka_err2str(md->topics[0].err);
      }
      rd_kafka_metadata_destroy(md);
      if (count > 0) {
        rd_kafka_topic_destroy(rkt);
        return count;
      }
    } else {
      last_error = rd_kafka_err2str(err);
    }
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  rd_kafka_topic_destroy(rkt);
  return Err(Status::Transient("metadata for topic '" + topic + "': " + last_error));
}

}  // namespace cdc
