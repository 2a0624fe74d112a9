#pragma once

// Shared by the reliability scenarios (issue 6): the test process hosts the librdkafka mock
// cluster (a real Kafka-protocol broker on loopback) and the fake Elasticsearch (a FAKE that
// follows the bulk contract), and runs the built `cdc-consumer run` binary as child processes.

#include <signal.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "fakes/fake_elasticsearch.h"
#include "pipeline/canal_message_decoder.h"
#include "support/chaos_workload.h"
#include "support/consumer_process.h"
#include "support/mock_cluster.h"
#include "support/test_env.h"

namespace cdc::testing {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

inline milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

// The `_id` the consumer gives each document of a record, computed with the library's own
// decoder and shaper (default redaction, as the binary uses), so that tests can script faults
// per document before the consumer reads the record.
inline std::vector<std::string> DocIdsOf(const std::string& json) {
  static thread_local CanalMessageDecoder decoder{ShaperOptions{}};
  kafka::DecodedRecord record;
  std::vector<std::string> ids;
  if (!decoder.Decode(json, &record).ok()) return ids;
  for (const Document& doc : record.documents) ids.push_back(doc.id);
  return ids;
}

inline std::int64_t CountOf(const std::string& haystack, const std::string& needle) {
  std::int64_t n = 0;
  for (std::size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

inline bool AnyAlive(const std::vector<ConsumerProcess*>& procs) {
  for (ConsumerProcess* p : procs) {
    if (p != nullptr && p->Running()) return true;
  }
  return false;
}

// Holds a fault (or a quiet period) for `d`, unscaled: the duration is part of the scenario.
// Returns false as soon as one of `watch` ends on its own (a crash during the fault).
inline bool HoldFor(milliseconds d, const std::vector<ConsumerProcess*>& watch) {
  const auto until = Clock::now() + d;
  while (Clock::now() < until) {
    for (ConsumerProcess* p : watch) {
      if (!p->Running()) return false;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

// Base fixture: cluster, topics, fake Elasticsearch, workload, committed-offset reader.
class ReliabilityTest : public ::testing::Test {
 protected:
  void SetUpScenario(const std::string& name, int brokers, int partitions, int dlq_partitions = 1) {
    name_ = name;
    log_dir_ = ScenarioLogDir(name);
    cluster_ = std::make_unique<MockCluster>(brokers);
    ASSERT_TRUE(cluster_->ok());
    ASSERT_TRUE(cluster_->CreateTopic(topic_, partitions));
    ASSERT_TRUE(cluster_->CreateTopic(dlq_, dlq_partitions));
    ASSERT_TRUE(es_.Start().ok());
    work_ = std::make_unique<Workload>(cluster_->bootstraps(), topic_, partitions, "zstd",
                                       idempotent_producer_);
    offsets_ = std::make_unique<GroupOffsets>(cluster_->bootstraps(), group_, topic_, partitions);
    std::cout << "[reliability] " << name << ": seed=" << ReliabilitySeed()
              << " scale=" << ScaleName() << " logs=" << log_dir_ << std::endl;
  }

  void TearDown() override {
    for (auto& p : procs_) (void)p->Kill();
    if (HasFailure()) {
      std::cout << "[reliability] " << name_ << ": FAILED; child logs in " << log_dir_ << std::endl;
    }
  }

  ConsumerArgs Args(std::uint16_t port, std::vector<std::string> extra = {}) const {
    ConsumerArgs a;
    a.brokers = cluster_->bootstraps();
    a.topic = topic_;
    a.group = group_;
    a.dlq_topic = dlq_;
    a.es_url = es_.url();
    a.http_port = port;
    a.extra = std::move(extra);
    return a;
  }

  // A consumer process (not started) owned by the fixture; killed at teardown.
  ConsumerProcess* NewConsumer(const std::string& name, std::uint16_t port,
                               std::vector<std::string> extra = {},
                               std::map<std::string, std::string> env = {}) {
    ConsumerProcessOptions o;
    o.args = RunArgs(Args(port, std::move(extra)));
    o.env = std::move(env);
    o.log_dir = log_dir_;
    o.name = name;
    procs_.push_back(std::make_unique<ConsumerProcess>(std::move(o)));
    return procs_.back().get();
  }

  // Waits until the store holds `docs` documents and the group committed every produced record.
  // Returns how long that took, or nullopt on timeout or when every watched consumer died.
  std::optional<milliseconds> WaitDrained(std::size_t docs, milliseconds timeout,
                                          const std::vector<ConsumerProcess*>& watch) {
    const auto start = Clock::now();
    const auto deadline = start + Scaled(timeout);
    const std::vector<std::int64_t> highs = work_->ExpectedHighs();
    while (Clock::now() < deadline) {
      if (!watch.empty() && !AnyAlive(watch)) return std::nullopt;
      if (es_.DocumentCount() >= docs && offsets_->Reached(highs)) return Since(start);
      std::this_thread::sleep_for(milliseconds(50));
    }
    return std::nullopt;
  }

  // Waits until the store holds at least `docs` documents (bounded, scaled).
  bool WaitDocs(std::size_t docs, milliseconds timeout,
                const std::vector<ConsumerProcess*>& watch) {
    const auto deadline = Clock::now() + Scaled(timeout);
    while (Clock::now() < deadline) {
      if (es_.DocumentCount() >= docs) return true;
      if (!watch.empty() && !AnyAlive(watch)) return false;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return es_.DocumentCount() >= docs;
  }

  static std::string Scrape(std::uint16_t port) {
    auto r = HttpGet(port, "/metrics");
    return r && r->status == 200 ? r->body : std::string();
  }
  static int HttpStatus(std::uint16_t port, const std::string& path) {
    auto r = HttpGet(port, path, milliseconds(3000));
    return r ? r->status : 0;
  }

  // The consumer's HTTP server answers (it is up and serving).
  static bool WaitServing(std::uint16_t port, ConsumerProcess* p, milliseconds timeout) {
    return WaitFor([&] { return !p->Running() || HttpStatus(port, "/healthz") == 200; }, timeout) &&
           p->Running();
  }

  // State for a failure message: store vs produced, committed vs end of log, the consumer's
  // sink counters.
  std::string Diagnose(std::uint16_t port = 0) {
    std::string out = "documents=" + std::to_string(es_.DocumentCount()) +
                      " rows=" + std::to_string(work_->rows()) +
                      " bulk_requests=" + std::to_string(es_.bulk_requests());
    if (auto committed = offsets_->Committed()) {
      out += " committed_sum=" + std::to_string(CommittedSum(*committed)) +
             " end_of_log_sum=" + std::to_string(Sum(work_->ExpectedHighs()));
    }
    if (port != 0) {
      const std::string scrape = Scrape(port);
      for (const char* name :
           {"cdc_bulk_requests_total", "cdc_bulk_items_total", "cdc_buffered_bytes",
            "cdc_sink_retries_total", "cdc_dead_letters_total", "cdc_sink_up", "cdc_kafka_up"}) {
        std::size_t pos = 0;
        while ((pos = scrape.find(name, pos)) != std::string::npos) {
          const std::size_t eol = scrape.find('\n', pos);
          if (pos == 0 || scrape[pos - 1] == '\n') out += "\n  " + scrape.substr(pos, eol - pos);
          pos = eol == std::string::npos ? scrape.size() : eol;
        }
      }
    }
    return out;
  }

  // The consumer is ready (/readyz 200: Kafka and the sink up, so its pipeline is running).
  static bool WaitReady(std::uint16_t port, ConsumerProcess* p, milliseconds timeout) {
    return WaitFor([&] { return !p->Running() || HttpStatus(port, "/readyz") == 200; }, timeout) &&
           p->Running();
  }

  // SIGTERM once the process is ready, then wait for its exit. (A SIGTERM before its pipeline
  // runs is a separate scenario: ReliabilityCrashTest.SigtermDuringStartupIsHonoured.)
  static std::optional<ExitInfo> GracefulStop(ConsumerProcess* p, std::uint16_t port) {
    (void)WaitReady(port, p, milliseconds(30'000));
    return p->Terminate(milliseconds(30'000));
  }

  // Sum over ids of (received - 1): writes the consumer sent again after the first one.
  std::int64_t Redelivered() const {
    std::int64_t n = 0;
    for (const auto& [id, count] : es_.ItemsReceivedById()) n += count > 1 ? count - 1 : 0;
    return n;
  }

  void ExpectBrokerKeptEverything(Figures* figures = nullptr) {
    const Workload::BrokerCheck broker = work_->CheckBroker();
    EXPECT_EQ(broker.dropped_partitions, 0) << "the mock cluster dropped data (5 MiB/partition)";
    EXPECT_EQ(broker.mismatched_partitions, 0);
    if (work_->idempotent_producer()) {
      EXPECT_EQ(broker.high_watermark_sum, work_->records());
    } else {
      EXPECT_GE(broker.high_watermark_sum, work_->records());
    }
    if (figures != nullptr) figures->Add("low_watermarks", broker.low_watermark_sum);
  }

  std::string name_;
  std::string log_dir_;
  std::string topic_ = "tidb-cdc";
  std::string dlq_ = "tidb-cdc-dlq";
  std::string group_ = "cdc-reliability";
  std::unique_ptr<MockCluster> cluster_;
  FakeElasticsearch es_;
  std::unique_ptr<Workload> work_;
  bool idempotent_producer_ = true;  // set before SetUpScenario (see Workload's constructor)
  std::unique_ptr<GroupOffsets> offsets_;
  std::vector<std::unique_ptr<ConsumerProcess>> procs_;
};

}  // namespace cdc::testing
