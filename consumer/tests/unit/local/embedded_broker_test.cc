#include "local/embedded_broker.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <thread>

#include "local/feed_simulator.h"
#include "local/kafka_producer.h"
#include "support/test_env.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;

struct Record {
  std::int32_t partition;
  std::string value;
};

// Reads every partition of `topic` from the beginning (plain assign: no group join) until
// `expected` records arrived or the wait runs out.
std::vector<Record> ReadAll(const std::string& brokers, const std::string& topic,
                            std::int32_t partitions, std::size_t expected) {
  auto conf = MakeRdKafkaConf({{"bootstrap.servers", brokers},
                               {"group.id", "embedded-broker-test"},
                               {"enable.auto.commit", "false"}});
  EXPECT_TRUE(conf.has_value());
  char err[256];
  RdKafkaHandle rk(rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), err, sizeof err));
  EXPECT_NE(rk, nullptr) << err;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (std::int32_t p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  EXPECT_EQ(rd_kafka_assign(rk.get(), list), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<Record> out;
  testing::WaitFor(
      [&] {
        rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk.get(), 100);
        if (msg != nullptr) {
          if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            EXPECT_EQ(msg->key, nullptr) << "TiCDC sends null keys";
            out.push_back(
                {msg->partition, std::string(static_cast<const char*>(msg->payload), msg->len)});
          }
          rd_kafka_message_destroy(msg);
        }
        return out.size() >= expected;
      },
      30s);
  rd_kafka_consumer_close(rk.get());
  return out;
}

// Records on the topic so far: the sum of the partitions' high watermarks.
std::int64_t HighWatermarkSum(const std::string& brokers, const std::string& topic,
                              std::int32_t partitions) {
  auto conf = MakeRdKafkaConf({{"bootstrap.servers", brokers}});
  char err[256];
  RdKafkaHandle rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf->release(), err, sizeof err));
  std::int64_t sum = 0;
  for (std::int32_t p = 0; p < partitions; ++p) {
    std::int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &low, &high, 2000) ==
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      sum += high;
    }
  }
  return sum;
}

class EmbeddedBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cdc-broker-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(EmbeddedBrokerTest, CreatesBothTopicsAndPublishesItsAddressWhileRunning) {
  const std::string file = dir_ + "/state/bootstrap.servers";
  {
    auto broker =
        EmbeddedBroker::Start({.partitions = 4, .dlq_partitions = 2, .state_dir = dir_ + "/state"});
    ASSERT_TRUE(broker.has_value()) << broker.error().ToString();
    const std::string bootstrap = (*broker)->bootstrap_servers();
    EXPECT_TRUE(bootstrap.starts_with("127.0.0.1:")) << bootstrap;
    EXPECT_EQ(testing::ReadFile(file), bootstrap + "\n");
    auto producer = KafkaProducer::Create(bootstrap);
    ASSERT_TRUE(producer.has_value());
    EXPECT_EQ((*producer)->PartitionCount("tidb-cdc", 10s).value_or(-1), 4);
    EXPECT_EQ((*producer)->PartitionCount("tidb-cdc-dlq", 10s).value_or(-1), 2);
  }
  EXPECT_FALSE(std::filesystem::exists(file)) << "a stopped broker's address is withdrawn";
}

TEST_F(EmbeddedBrokerTest, SimulatedFeedLandsOnTheRightPartitions) {
  auto broker = EmbeddedBroker::Start({.partitions = 5});
  ASSERT_TRUE(broker.has_value());
  const std::atomic<bool> stop{false};
  auto report = RunFeedSimulator({.brokers = (*broker)->bootstrap_servers(),
                                  .rate = 0,
                                  .seed = 5,
                                  .count = 300,
                                  .ddl_every = 40},
                                 stop);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->rows, 300);
  EXPECT_EQ(report->failed, 0);
  EXPECT_GT(report->ddl, 0);
  const auto records = ReadAll((*broker)->bootstrap_servers(), "tidb-cdc", 5,
                               static_cast<std::size_t>(report->messages));
  ASSERT_EQ(records.size(), static_cast<std::size_t>(report->messages));
  std::map<std::int32_t, int> watermarks;
  std::map<std::string, std::int64_t> by_table_op;
  for (const Record& r : records) {
    if (r.value.find("\"TIDB_WATERMARK\"") != std::string::npos) {
      ++watermarks[r.partition];
      continue;
    }
    const bool ddl = r.value.find("\"isDdl\":true") != std::string::npos;
    const std::string table =
        r.value.substr(r.value.find("\"table\":\"") + 9,
                       r.value.find("\",\"pkNames\"") - r.value.find("\"table\":\"") - 9);
    if (ddl) {
      EXPECT_EQ(r.partition, 0) << "DDL goes to partition 0";
      ++by_table_op["appdb." + table + ".ddl"];
      continue;
    }
    EXPECT_EQ(r.partition, TablePartition("appdb", table, 5)) << table;
    EXPECT_TRUE(r.value.ends_with("\r\n"));
    for (const char* op : {"INSERT", "UPDATE", "DELETE"}) {
      if (r.value.find(std::string("\"type\":\"") + op + "\"") != std::string::npos) {
        std::string lower(op);
        for (auto& c : lower) c = static_cast<char>(std::tolower(c));
        ++by_table_op["appdb." + table + "." + lower];
      }
    }
  }
  EXPECT_EQ(by_table_op, report->by_table_op);
  ASSERT_EQ(watermarks.size(), 5u) << "watermarks reach every partition";
  for (const auto& [p, n] : watermarks) EXPECT_EQ(n, watermarks[0]) << p;
}

TEST_F(EmbeddedBrokerTest, ReplayProducesTheFileLineByLine) {
  auto broker = EmbeddedBroker::Start({.partitions = 3});
  ASSERT_TRUE(broker.has_value());
  const std::atomic<bool> stop{false};
  auto report =
      RunFeedSimulator({.brokers = (*broker)->bootstrap_servers(),
                        .rate = 0,
                        .replay_file = testing::FixturePath("local/replay_sample.ndjson")},
                       stop);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  // 5 non-empty lines; the watermark goes to each of the 3 partitions.
  EXPECT_EQ(report->messages, 7);
  EXPECT_EQ(report->watermarks, 3);
  const auto records = ReadAll((*broker)->bootstrap_servers(), "tidb-cdc", 3, 7);
  ASSERT_EQ(records.size(), 7u);
  for (const Record& r : records) {
    if (r.value.find("replayed_alice") != std::string::npos) {
      EXPECT_EQ(r.partition, TablePartition("appdb", "users", 3));
    } else if (r.value.find("CINDEX") != std::string::npos || r.value.starts_with("this line")) {
      EXPECT_EQ(r.partition, 0);
    }
  }
}

TEST_F(EmbeddedBrokerTest, SimulatorStopsPromptlyWhenAsked) {
  auto broker = EmbeddedBroker::Start({.partitions = 2});
  ASSERT_TRUE(broker.has_value());
  std::atomic<bool> stop{false};
  std::atomic<bool> saw_records{false};
  std::thread stopper([&] {
    // Stop once the feed is visibly flowing: records on the broker.
    saw_records = testing::WaitFor(
        [&] { return HighWatermarkSum((*broker)->bootstrap_servers(), "tidb-cdc", 2) >= 3; }, 20s);
    stop = true;
  });
  const auto started = std::chrono::steady_clock::now();
  auto report = RunFeedSimulator({.brokers = (*broker)->bootstrap_servers(), .rate = 20}, stop);
  stopper.join();
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(saw_records.load());
  EXPECT_LT(std::chrono::steady_clock::now() - started, testing::Scaled(25s));
  EXPECT_GT(report->rows, 0);
  EXPECT_LT(report->rows, 200) << "paced at 20 rows/s";
}

TEST_F(EmbeddedBrokerTest, ReplayPartitionRules) {
  EXPECT_EQ(ReplayPartition(R"({"isDdl":true,"database":"a","table":"b"})", 8), 0);
  EXPECT_EQ(ReplayPartition(R"({"isDdl":false,"type":"TIDB_WATERMARK"})", 8), -1);
  EXPECT_EQ(ReplayPartition(R"({"database":"a","table":"b","type":"INSERT"})", 8),
            TablePartition("a", "b", 8));
  EXPECT_EQ(ReplayPartition("not json", 8), 0);
  EXPECT_EQ(ReplayPartition("[1,2]", 8), 0);
}

}  // namespace
}  // namespace cdc
