// Same-directory include: the end-to-end benchmark compiles this file into its own binary (it
// links only cdc_lib), where tests/ is not on the include path.
#include "mock_cluster.h"

#include <array>
#include <memory>
#include <thread>

namespace cdc::testing {
namespace {

rd_kafka_conf_t* QuietConf() {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::array<char, 256> err{};
  rd_kafka_conf_set(conf, "log_level", "3", err.data(), err.size());
  return conf;
}

void Set(rd_kafka_conf_t* conf, const char* key, const std::string& value) {
  std::array<char, 256> err{};
  rd_kafka_conf_set(conf, key, value.c_str(), err.data(), err.size());
}

// A consumer handle with no subscription, for metadata, committed offsets and reads.
rd_kafka_t* NewConsumer(const std::string& bootstraps, const std::string& group) {
  rd_kafka_conf_t* conf = QuietConf();
  Set(conf, "bootstrap.servers", bootstraps);
  Set(conf, "group.id", group);
  Set(conf, "enable.auto.commit", "false");
  Set(conf, "enable.partition.eof", "false");
  std::array<char, 256> err{};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err.data(), err.size());
  if (rk == nullptr) rd_kafka_conf_destroy(conf);
  return rk;
}

}  // namespace

MockCluster::MockCluster(int brokers) {
  std::array<char, 256> err{};
  rd_kafka_conf_t* conf = QuietConf();
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err.data(), err.size());
  if (rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return;
  }
  cluster_ = rd_kafka_mock_cluster_new(rk_, brokers);
  if (cluster_ != nullptr) bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

MockCluster::~MockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

bool MockCluster::CreateTopic(const std::string& topic, int partitions) {
  return rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
}

TestProducer::TestProducer(const std::string& bootstraps, const std::string& compression,
                           bool idempotent) {
  rd_kafka_conf_t* conf = QuietConf();
  Set(conf, "bootstrap.servers", bootstraps);
  Set(conf, "compression.type", compression);
  Set(conf, "linger.ms", "5");
  Set(conf, "queue.buffering.max.messages", "200000");
  Set(conf, "enable.idempotence", idempotent ? "true" : "false");
  rd_kafka_conf_set_dr_msg_cb(conf, &TestProducer::OnDelivery);
  rd_kafka_conf_set_opaque(conf, this);
  std::array<char, 256> err{};
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err.data(), err.size());
  if (rk_ == nullptr) rd_kafka_conf_destroy(conf);
}

TestProducer::~TestProducer() {
  if (rk_ == nullptr) return;
  rd_kafka_flush(rk_, 10000);
  rd_kafka_destroy(rk_);
}

void TestProducer::OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* opaque) {
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) ++static_cast<TestProducer*>(opaque)->failed_;
}

bool TestProducer::Produce(const std::string& topic, std::int32_t partition, std::string_view key,
                           std::string_view value) {
  if (rk_ == nullptr) return false;
  for (int attempt = 0; attempt < 10000; ++attempt) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(topic.c_str()),
        RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_poll(rk_, 0);
      return true;
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return false;
    rd_kafka_poll(rk_, 10);  // wait for deliveries to make room
  }
  return false;
}

bool TestProducer::Flush(std::chrono::milliseconds timeout) {
  if (rk_ == nullptr) return false;
  return rd_kafka_flush(rk_, static_cast<int>(timeout.count())) == RD_KAFKA_RESP_ERR_NO_ERROR &&
         failed_ == 0;
}

std::optional<Watermarks> QueryWatermarks(const std::string& bootstraps, const std::string& topic,
                                          std::int32_t partition) {
  rd_kafka_t* rk = NewConsumer(bootstraps, "watermark-probe");
  if (rk == nullptr) return std::nullopt;
  Watermarks marks;
  const rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &marks.low, &marks.high, 5000);
  rd_kafka_destroy(rk);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  return marks;
}

std::map<std::int32_t, std::int64_t> CommittedOffsets(const std::string& bootstraps,
                                                      const std::string& group,
                                                      const std::string& topic, int partitions) {
  std::map<std::int32_t, std::int64_t> out;
  rd_kafka_t* rk = NewConsumer(bootstraps, group);
  if (rk == nullptr) return out;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  if (rd_kafka_committed(rk, list, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  return out;
}

std::vector<ConsumedRecord> ReadTopic(const std::string& bootstraps, const std::string& topic,
                                      int partitions, std::size_t expected,
                                      std::chrono::milliseconds timeout) {
  std::vector<ConsumedRecord> out;
  rd_kafka_t* rk = NewConsumer(bootstraps, "topic-reader");
  if (rk == nullptr) return out;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < expected && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk, 100);
    if (msg == nullptr) continue;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ConsumedRecord rec;
      rec.partition = msg->partition;
      rec.offset = msg->offset;
      if (msg->key != nullptr) rec.key.assign(static_cast<const char*>(msg->key), msg->key_len);
      if (msg->payload != nullptr) {
        rec.value.assign(static_cast<const char*>(msg->payload), msg->len);
      }
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name = nullptr;
        const void* value = nullptr;
        std::size_t size = 0;
        for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                                RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          rec.headers[name] =
              value != nullptr ? std::string(static_cast<const char*>(value), size) : std::string();
        }
      }
      out.push_back(std::move(rec));
    }
    rd_kafka_message_destroy(msg);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

std::uint64_t TsoFromMs(std::int64_t physical_ms) {
  return static_cast<std::uint64_t>(physical_ms) << 18;
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string UserInsertJson(std::int64_t id, std::int64_t commit_ms) {
  const std::string sid = std::to_string(id);
  std::string out;
  out.reserve(900);
  out += R"({"id":0,"database":"appdb","table":"users","pkNames":["id"],"isDdl":false,)";
  out += R"("type":"INSERT","es":)" + std::to_string(commit_ms) + R"(,"ts":)" +
         std::to_string(commit_ms + 120) + R"(,"sql":"",)";
  out += R"("sqlType":{"id":-5,"name":12,"email":12,"password":12,"status":12,"balance":3,)"
         R"("created_at":93},)";
  out += R"("mysqlType":{"id":"bigint","name":"varchar","email":"varchar","password":"varchar",)"
         R"("status":"enum","balance":"decimal","created_at":"datetime"},)";
  out += R"("old":null,"data":[{"id":")" + sid + R"(","name":"User Number )" + sid +
         R"(","email":"user)" + sid + R"(@example.com","password":"$2b$12$abcdefghijklmnopqrstuv)" +
         sid + R"(","status":"active","balance":")" + std::to_string(id % 10000) +
         R"(.25","created_at":"2024-05-01 12:34:56"}],)";
  out += R"("_tidb":{"commitTs":)" + std::to_string(TsoFromMs(commit_ms)) + "}}\r\n";
  return out;
}

std::string WatermarkJson(std::int64_t physical_ms) {
  return R"({"id":0,"database":"","table":"","pkNames":null,"isDdl":false,"type":"TIDB_WATERMARK",)"
         R"("es":)" +
         std::to_string(physical_ms) + R"(,"ts":)" + std::to_string(physical_ms + 5) +
         R"(,"sql":"","sqlType":null,"mysqlType":null,"data":null,"old":null,)"
         R"("_tidb":{"watermarkTs":)" +
         std::to_string(TsoFromMs(physical_ms)) + "}}";
}

}  // namespace cdc::testing
