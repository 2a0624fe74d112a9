#include "local/embedded_broker.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace cdc {

Status WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::InvalidConfig("cannot write " + tmp);
    out << content;
    out.flush();
    if (!out) return Status::Transient("short write to " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::Transient("rename to " + path + ": " + ec.message());
  return Status::Ok();
}

Result<std::unique_ptr<EmbeddedBroker>> EmbeddedBroker::Start(
    const EmbeddedBrokerOptions& options) {
  if (options.brokers < 1 || options.partitions < 1 || options.dlq_partitions < 1) {
    return Err(Status::InvalidConfig("broker and partition counts must be at least 1"));
  }
  // The owner handle never connects anywhere; log_level 4 hides its "no bootstrap.servers" notice.
  auto conf = MakeRdKafkaConf({{"client.id", "cdc-embedded-broker"}, {"log_level", "4"}});
  if (!conf) return Err(conf.error());
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), err, sizeof err);
  if (rk == nullptr) return Err(Status::Internal(std::string("rd_kafka_new: ") + err));
  conf->release();
  std::unique_ptr<EmbeddedBroker> broker(new EmbeddedBroker());
  broker->owner_.reset(rk);
  broker->cluster_ = rd_kafka_mock_cluster_new(rk, options.brokers);
  if (broker->cluster_ == nullptr) {
    return Err(Status::Internal("rd_kafka_mock_cluster_new failed (no loopback listener?)"));
  }
  broker->bootstrap_ = rd_kafka_mock_cluster_bootstraps(broker->cluster_);
  for (const auto& [topic, partitions] : {std::pair{options.topic, options.partitions},
                                          std::pair{options.dlq_topic, options.dlq_partitions}}) {
    const rd_kafka_resp_err_t rc =
        rd_kafka_mock_topic_create(broker->cluster_, topic.c_str(), partitions, 1);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Err(Status::Internal("creating topic '" + topic + "': " + rd_kafka_err2str(rc)));
    }
  }
  if (!options.state_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.state_dir, ec);
    broker->bootstrap_file_ = options.state_dir + "/bootstrap.servers";
    if (auto st = WriteFileAtomically(broker->bootstrap_file_, broker->bootstrap_ + "\n");
        !st.ok()) {
      return Err(st);
    }
  }
  return broker;
}

EmbeddedBroker::~EmbeddedBroker() {
  // Other processes must not pick up the address of a broker that is gone.
  if (!bootstrap_file_.empty()) std::remove(bootstrap_file_.c_str());
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  owner_.reset();
}

}  // namespace cdc
