// Reliability scenario 3 (issue 6): consumers join and leave the group, eager and
// cooperative-sticky, with a lost assignment injected. In-process Pipelines (the production
// pipeline with the real Elasticsearch sink) so that every offset store can be checked against
// the assignment it was made under; the broker is the librdkafka mock cluster (real Kafka
// protocol), the store the fake Elasticsearch.
#include <mutex>

#include "integration/reliability_harness.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline.h"
#include "sink/elasticsearch/elasticsearch_sink.h"
#include "source/kafka/kafka_source.h"

namespace cdc::testing {
namespace {

constexpr int kPartitions = 16;
constexpr std::int16_t kApiHeartbeat = 12;

// Thread-safe record of one member's source events, in order.
class MemberEvents {
 public:
  std::function<void(const SourceEvent&)> Observer() {
    return [this](const SourceEvent& e) {
      std::lock_guard lock(mu_);
      events_.push_back(e);
    };
  }
  std::vector<SourceEvent> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  // Partitions owned after replaying the events.
  std::set<std::int32_t> Owned() const {
    std::set<std::int32_t> owned;
    for (const SourceEvent& e : events()) {
      if (e.kind == SourceEvent::Kind::kAssigned) owned.insert(e.partition);
      if (e.kind == SourceEvent::Kind::kRevoked || e.kind == SourceEvent::Kind::kLost) {
        owned.erase(e.partition);
      }
    }
    return owned;
  }
  std::size_t Count(SourceEvent::Kind kind) const {
    std::size_t n = 0;
    for (const SourceEvent& e : events()) n += e.kind == kind ? 1 : 0;
    return n;
  }
  // Offsets stored for a partition while it was not assigned (after its revoke or loss).
  std::int64_t StoresWhileNotOwned() const {
    std::set<std::int32_t> owned;
    std::int64_t bad = 0;
    for (const SourceEvent& e : events()) {
      switch (e.kind) {
        case SourceEvent::Kind::kAssigned:
          owned.insert(e.partition);
          break;
        case SourceEvent::Kind::kRevoked:
        case SourceEvent::Kind::kLost:
          owned.erase(e.partition);
          break;
        case SourceEvent::Kind::kStored:
          if (!owned.contains(e.partition)) ++bad;
          break;
        default:
          break;
      }
    }
    return bad;
  }

 private:
  mutable std::mutex mu_;
  std::vector<SourceEvent> events_;
};

// One group member: a Pipeline with the Elasticsearch sink, its metrics and its event record.
struct Member {
  std::string name;
  Metrics metrics;
  MemberEvents events;
  std::unique_ptr<Pipeline> pipeline;
  bool stopped = false;
};

class ReliabilityGroupTest : public ReliabilityTest,
                             public ::testing::WithParamInterface<const char*> {
 protected:
  std::unique_ptr<Member> Join(const std::string& name) {
    auto m = std::make_unique<Member>();
    m->name = name;
    PipelineOptions o;
    o.kafka.brokers = cluster_->bootstraps();
    o.kafka.topic = topic_;
    o.kafka.group = group_;
    o.kafka.dlq_topic = dlq_;
    o.kafka.rdkafka_overrides = {{"session.timeout.ms", "6000"},
                                 {"heartbeat.interval.ms", "500"},
                                 {"fetch.wait.max.ms", "50"},
                                 {"log_level", "4"},
                                 {"client.id", name},
                                 {"partition.assignment.strategy", GetParam()}};
    o.kafka.health_interval = milliseconds(200);
    o.kafka.metrics_interval = milliseconds(200);
    o.kafka.observer_for_test = m->events.Observer();
    o.shutdown_deadline = milliseconds(10'000);
    ElasticsearchSinkOptions es;
    es.urls = {es_.url()};
    es.index = "cdc-events";
    es.linger = milliseconds(20);
    es.retry_max = milliseconds(2000);
    es.random_seed = ReliabilitySeed();
    Metrics* metrics = &m->metrics;
    m->pipeline = std::make_unique<Pipeline>(
        std::move(o),
        [es, metrics](AckSink* acks, DeadLetterWriter* dlq) -> Result<std::unique_ptr<Sink>> {
          return std::unique_ptr<Sink>(std::make_unique<ElasticsearchSink>(es, acks, dlq, metrics));
        },
        metrics);
    Status st = m->pipeline->Start();
    EXPECT_TRUE(st.ok()) << name << ": " << st.ToString();
    return m;
  }

  static Status Leave(Member& m) {
    m.stopped = true;
    m.pipeline->RequestStop();
    return m.pipeline->Wait();
  }

  bool WaitOwns(const Member& m, milliseconds timeout) {
    return WaitFor([&] { return !m.events.Owned().empty(); }, timeout);
  }
};

TEST_P(ReliabilityGroupTest, JoinLeaveAndLostAssignmentLoseNothing) {
  const std::string strategy = GetParam();
  const std::string scenario =
      "group_" + std::string(strategy == "cooperative-sticky" ? "cooperative" : "eager");
  group_ = "cdc-" + scenario;
  SetUpScenario(scenario, 1, kPartitions);
  const std::int64_t quarter = ByScale<std::int64_t>(2500, 50'000);
  Figures figures(scenario);
  auto produce = [&] {
    ASSERT_TRUE(work_->ProduceRows(quarter, NowMs() - 600'000));
    ASSERT_TRUE(work_->Flush());
  };

  produce();
  auto a = Join("a");
  ASSERT_TRUE(WaitOwns(*a, milliseconds(30'000)));
  ASSERT_TRUE(WaitDocs(static_cast<std::size_t>(quarter / 4), milliseconds(60'000), {}));

  auto b = Join("b");  // joins while A is busy
  produce();
  ASSERT_TRUE(WaitOwns(*b, milliseconds(30'000))) << "b never got partitions";
  auto c = Join("c");
  produce();
  ASSERT_TRUE(WaitOwns(*c, milliseconds(30'000))) << "c never got partitions";

  // Leaves are graceful; one that ends with an error (e.g. its final commit refused because a
  // rebalance is under way) loses nothing but is counted and reported.
  std::int64_t unclean_leaves = 0;
  auto leave = [&](Member& m) {
    const Status st = Leave(m);
    if (!st.ok()) {
      ++unclean_leaves;
      std::cout << "[reliability] " << m.name << " left with: " << st.ToString() << std::endl;
    }
  };
  leave(*b);  // its partitions move to a and c
  // A lost assignment: the next heartbeat is told its member id is unknown (as after a session
  // timeout), so that member loses its partitions without a chance to commit.
  std::size_t lost_before =
      a->events.Count(SourceEvent::Kind::kLost) + c->events.Count(SourceEvent::Kind::kLost);
  rd_kafka_mock_push_request_errors(cluster_->raw(), kApiHeartbeat, 1,
                                    RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID);
  ASSERT_TRUE(WaitFor(
      [&] {
        return a->events.Count(SourceEvent::Kind::kLost) +
                   c->events.Count(SourceEvent::Kind::kLost) >
               lost_before;
      },
      milliseconds(30'000)))
      << "no member reported a lost assignment";
  produce();
  ASSERT_TRUE(WaitFor([&] { return !a->events.Owned().empty() || !c->events.Owned().empty(); },
                      milliseconds(30'000)));
  leave(*c);
  const auto drained =
      WaitDrained(static_cast<std::size_t>(work_->rows()), milliseconds(120'000), {});
  ASSERT_TRUE(drained.has_value()) << "documents=" << es_.DocumentCount();
  leave(*a);

  const StoreReport store = CheckStore(es_, SeqRange(0, work_->rows()));
  EXPECT_EQ(store.missing, 0) << store.ToString();
  EXPECT_EQ(store.extra, 0) << store.ToString();
  const auto committed = offsets_->Committed();
  ASSERT_TRUE(committed.has_value());
  EXPECT_EQ(*committed, work_->ExpectedHighs());
  std::int64_t bad_stores = 0, revokes = 0, lost = 0;
  for (const Member* m : {a.get(), b.get(), c.get()}) {
    bad_stores += m->events.StoresWhileNotOwned();
    revokes += static_cast<std::int64_t>(m->events.Count(SourceEvent::Kind::kRevoked));
    lost += static_cast<std::int64_t>(m->events.Count(SourceEvent::Kind::kLost));
  }
  EXPECT_EQ(bad_stores, 0) << "an offset was stored for a partition after its revoke";
  EXPECT_GE(lost, 1);
  ExpectBrokerKeptEverything(&figures);
  figures.Add("strategy", strategy)
      .Add("members", 3)
      .Add("joins", 3)
      .Add("leaves", 3)
      .Add("partitions_revoked", revokes)
      .Add("partitions_lost", lost)
      .Add("stores_after_revoke", bad_stores)
      .Add("leaves_ending_in_error", unclean_leaves)
      .Add("produced", work_->rows())
      .Add("stored", store.documents)
      .Add("missing", store.missing)
      .Add("extra", store.extra)
      .Add("redelivered_writes", Redelivered())
      .Print();
}

INSTANTIATE_TEST_SUITE_P(Strategies, ReliabilityGroupTest,
                         ::testing::Values("range,roundrobin", "cooperative-sticky"),
                         [](const ::testing::TestParamInfo<const char*>& param) {
                           return std::string(param.param) == "cooperative-sticky" ? "Cooperative"
                                                                                   : "Eager";
                         });

}  // namespace
}  // namespace cdc::testing
