// Reliability scenarios 4, 5, 6 and 7 (issue 6): Kafka faults from the mock cluster, an
// Elasticsearch storm then outage, malformed bulk responses, poison. The consumer is the built
// binary, run as a child process against the librdkafka mock cluster (real Kafka protocol) and
// the fake Elasticsearch (a fake: see tests/fakes/fake_elasticsearch.h) hosted by this process.
#include <functional>
#include <random>
#include <unordered_map>

#include "integration/reliability_harness.h"

namespace cdc::testing {
namespace {

constexpr int kPartitions = 16;
// Kafka API keys (the mock's error injection takes the protocol's numbers).
constexpr std::int16_t kApiOffsetCommit = 8;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// Seqs of the documents in the store, refreshed incrementally (each document parsed once).
class StoredSeqs {
 public:
  explicit StoredSeqs(const FakeElasticsearch& es, std::string index = "cdc-events")
      : es_(es), index_(std::move(index)) {}
  const std::set<std::int64_t>& Refresh() {
    for (const std::string& id : es_.DocumentIds()) {
      if (known_.contains(id)) continue;
      auto source = es_.Document(index_, id);
      const std::int64_t seq = source ? SeqOfDocument(*source) : -1;
      known_.emplace(id, seq);
      seqs_.insert(seq);
    }
    return seqs_;
  }

 private:
  const FakeElasticsearch& es_;
  std::string index_;
  std::unordered_map<std::string, std::int64_t> known_;
  std::set<std::int64_t> seqs_;
};

// Records below the group's committed offset whose row is not in the store: an offset that
// passed an undelivered record. Reads the offsets first and the store second (the store only
// grows), so a violation seen here is real.
std::int64_t OffsetViolations(GroupOffsets& offsets, StoredSeqs& stored, const Workload& work) {
  auto committed = offsets.Committed();
  if (!committed) return 0;
  const std::set<std::int64_t>& seqs = stored.Refresh();
  std::int64_t violations = 0;
  for (std::size_t p = 0; p < committed->size(); ++p) {
    const auto& log = work.log()[p];
    const auto end = std::min<std::int64_t>((*committed)[p], static_cast<std::int64_t>(log.size()));
    for (std::int64_t o = 0; o < end; ++o) {
      const std::int64_t seq = log[static_cast<std::size_t>(o)];
      if (seq != kPoison && !seqs.contains(seq)) ++violations;
    }
  }
  return violations;
}

class ReliabilityFaultsTest : public ReliabilityTest {
 protected:
  // Produces `count` rows, paced over `duration` in 100 ms ticks while watching `c`; `before_send`
  // sees each row first. False when the consumer died.
  bool ProducePaced(std::int64_t per_second, milliseconds duration, ConsumerProcess* c,
                    const std::function<void(const RowChange&, const std::string&)>& before_send,
                    const std::function<void(milliseconds elapsed)>& each_tick = {}) {
    const auto start = Clock::now();
    std::int64_t produced = 0;
    while (Since(start) < duration) {
      const auto elapsed = Since(start);
      const std::int64_t due = per_second * (elapsed.count() + 100) / 1000;
      if (due > produced) {
        if (!work_->ProduceRows(due - produced, NowMs() - 600'000, {}, before_send)) return false;
        produced = due;
      }
      if (each_tick) each_tick(elapsed);
      if (!HoldFor(milliseconds(100), {c})) return false;
    }
    return true;
  }
};

// Scenario 4. One consumer on a 3-broker mock cluster; for each fault, rows are produced while
// the fault lasts, then the time from the end of the fault until the group's committed offsets
// reach the end of every partition is measured (lag back to zero).
TEST_F(ReliabilityFaultsTest, KafkaFaultsLoseNothingAndLagRecovers) {
  // The faults move partition leaders, across which the mock loses idempotent records (F5).
  idempotent_producer_ = false;
  SetUpScenario("kafka_faults", 3, kPartitions);
  rd_kafka_mock_cluster_t* mock = cluster_->raw();
  ASSERT_EQ(rd_kafka_mock_coordinator_set(mock, "group", group_.c_str(), 1), 0);
  for (int p = 0; p < kPartitions; ++p) {
    ASSERT_EQ(rd_kafka_mock_partition_set_leader(mock, topic_.c_str(), p, 1 + p % 3), 0);
  }
  const std::int64_t chunk = ByScale<std::int64_t>(2000, 40'000);
  const milliseconds hold = ByScale(milliseconds(4000), milliseconds(20'000));
  Figures figures("kafka_faults");

  const std::uint16_t port = FreeLoopbackPort();
  ConsumerProcess* c = NewConsumer("c", port);
  ASSERT_TRUE(c->Start().ok());
  ASSERT_TRUE(work_->ProduceRows(chunk, NowMs() - 600'000));
  ASSERT_TRUE(work_->Flush());
  ASSERT_TRUE(WaitDrained(static_cast<std::size_t>(work_->rows()), milliseconds(60'000), {c}))
      << c->Output();

  auto set_rtt = [&](int rtt_ms) {
    for (int b = 1; b <= 3; ++b) ASSERT_EQ(rd_kafka_mock_broker_set_rtt(mock, b, rtt_ms), 0);
  };
  struct Fault {
    const char* name;
    std::function<void()> begin;
    std::function<void()> end;
  };
  const std::vector<Fault> faults = {
      {"commit_errors",
       [&] {
         std::vector<rd_kafka_resp_err_t> errs;
         for (int i = 0; i < 200; ++i) {
           const rd_kafka_resp_err_t kinds[] = {
               RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
               RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS};
           errs.push_back(kinds[i % 4]);
         }
         rd_kafka_mock_push_request_errors_array(mock, kApiOffsetCommit, errs.size(), errs.data());
       },
       [&] { rd_kafka_mock_clear_request_errors(mock, kApiOffsetCommit); }},
      {"leader_broker_down", [&] { ASSERT_EQ(rd_kafka_mock_broker_set_down(mock, 3), 0); },
       [&] { ASSERT_EQ(rd_kafka_mock_broker_set_up(mock, 3), 0); }},
      {"coordinator_move",
       [&] { ASSERT_EQ(rd_kafka_mock_coordinator_set(mock, "group", group_.c_str(), 2), 0); },
       [] {}},
      {"coordinator_down", [&] { ASSERT_EQ(rd_kafka_mock_broker_set_down(mock, 2), 0); },
       [&] { ASSERT_EQ(rd_kafka_mock_broker_set_up(mock, 2), 0); }},
      {"leader_moves",
       [&] {
         for (int p = 0; p < kPartitions; ++p) {
           ASSERT_EQ(rd_kafka_mock_partition_set_leader(mock, topic_.c_str(), p, 1 + (p + 1) % 3),
                     0);
         }
       },
       [] {}},
      {"all_brokers_down",
       [&] {
         for (int b = 1; b <= 3; ++b) ASSERT_EQ(rd_kafka_mock_broker_set_down(mock, b), 0);
       },
       [&] {
         for (int b = 1; b <= 3; ++b) ASSERT_EQ(rd_kafka_mock_broker_set_up(mock, b), 0);
       }},
      {"rtt_5s", [&] { set_rtt(5000); }, [&] { set_rtt(0); }},
  };

  milliseconds worst(0);
  std::string per_fault;
  for (const Fault& fault : faults) {
    SCOPED_TRACE(fault.name);
    fault.begin();
    ASSERT_TRUE(work_->ProduceRows(chunk, NowMs() - 600'000));
    ASSERT_TRUE(HoldFor(hold, {c}))
        << "consumer died during " << fault.name << ": " << c->last_exit()->ToString() << "\n"
        << c->Output();
    fault.end();
    const auto ended = Clock::now();
    ASSERT_TRUE(work_->Flush());
    ASSERT_TRUE(WaitDrained(static_cast<std::size_t>(work_->rows()), milliseconds(90'000), {c}))
        << "lag not back to zero after " << fault.name << "\n"
        << c->Output().substr(0, 8000);
    const milliseconds recovery = Since(ended);
    EXPECT_LE(recovery, Scaled(milliseconds(30'000))) << fault.name;
    worst = std::max(worst, recovery);
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%s%s:%.1fs", per_fault.empty() ? "" : ",", fault.name,
                  static_cast<double>(recovery.count()) / 1000.0);
    per_fault += buf;
  }
  auto exit = GracefulStop(c, port);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->exited && exit->code == 0) << exit->ToString();
  const StoreReport store = CheckStore(es_, SeqRange(0, work_->rows()));
  EXPECT_EQ(store.missing, 0) << store.ToString();
  EXPECT_EQ(store.extra, 0) << store.ToString();
  ExpectBrokerKeptEverything(&figures);
  figures.Add("faults", static_cast<std::int64_t>(faults.size()))
      .AddSeconds("hold", hold)
      .Add("produced", work_->rows())
      .Add("stored", store.documents)
      .Add("missing", store.missing)
      .Add("extra", store.extra)
      .Add("crashes", 0)
      .Add("rebalances", CountOf(c->AllOutput(), "revoking"))
      .Add("redelivered_writes", Redelivered())
      .AddSeconds("worst_lag_recovery", worst)
      .Add("recovery", per_fault)
      .Print();
}

// Scenario 5. A storm (30% of items 429 - scripted per document id so that resends can be
// counted exactly - and 10% of requests 429 then 503) while rows flow; then Elasticsearch down.
TEST_F(ReliabilityFaultsTest, ElasticsearchStormThenOutage) {
  SetUpScenario("es_storm", 1, kPartitions);
  const milliseconds storm(60'000);  // the issue's 60 s in both variants
  const milliseconds outage = ByScale(milliseconds(120'000), milliseconds(600'000));
  const std::int64_t storm_rate = ByScale<std::int64_t>(500, 3000);
  const std::int64_t outage_rate = 300;
  const milliseconds retry_cap(5000);
  Figures figures("es_storm");
  std::mt19937_64 rng(ReliabilitySeed());

  const std::uint16_t port = FreeLoopbackPort();
  // Under AddressSanitizer the freed-memory quarantine (256 MiB by default) would grow with the
  // retry churn and hide what the consumer itself holds; a small one keeps RSS meaningful.
  std::map<std::string, std::string> env;
  if (kSanitized) {
    const char* asan = std::getenv("ASAN_OPTIONS");
    env["ASAN_OPTIONS"] =
        std::string(asan != nullptr && *asan != '\0' ? std::string(asan) + ":" : "") +
        "quarantine_size_mb=16";
  }
  // The quick outage (2 min at 300 rows/s) would not fill the default 64 MiB buffer, and RSS
  // would still be growing towards that bound when measured; a 4 MiB bound is reached within
  // the first third, so "flat" is observable. The full variant keeps the default.
  const std::string buffer = ByScale<std::string>("4MiB", "64MiB");
  ConsumerProcess* c =
      NewConsumer("c", port, {"--es-retry-max", "5s", "--max-buffered-bytes", buffer}, env);
  ASSERT_TRUE(c->Start().ok());
  ASSERT_TRUE(work_->ProduceRows(2000, NowMs() - 600'000));
  ASSERT_TRUE(work_->Flush());
  ASSERT_TRUE(WaitDrained(2000, milliseconds(60'000), {c})) << c->Output();

  // --- Storm. ---
  std::map<std::string, int> scripted;  // id -> injected 429s
  es_.FailRandomRequests(0.10, 429, ReliabilitySeed());
  bool switched = false;
  const std::int64_t storm_first = work_->rows();
  ASSERT_TRUE(ProducePaced(
      storm_rate, storm, c,
      [&](const RowChange&, const std::string& json) {
        if (rng() % 100 >= 30) return;
        for (const std::string& id : DocIdsOf(json)) {
          const int times = 1 + static_cast<int>(rng() % 2);
          scripted[id] = times;
          es_.FailItemsWithId(id, 429, "", times);
        }
      },
      [&](milliseconds elapsed) {
        if (!switched && elapsed >= storm / 2) {
          es_.FailRandomRequests(0.10, 503, ReliabilitySeed() + 1);
          switched = true;
        }
      }))
      << c->Output().substr(0, 8000);
  es_.FailRandomRequests(0, 429, 0);
  const auto storm_end = Clock::now();
  ASSERT_TRUE(work_->Flush());
  const auto storm_drained =
      WaitDrained(static_cast<std::size_t>(work_->rows()), milliseconds(120'000), {c});
  ASSERT_TRUE(storm_drained.has_value()) << c->Output().substr(0, 8000);
  const milliseconds storm_recovery = Since(storm_end);
  // Exactly the failed items were sent again: 1 + injected failures per scripted id, 1 otherwise.
  std::int64_t resent_ok = 0, short_resends = 0, resends = 0;
  for (const auto& [id, n] : es_.ItemsReceivedById()) {
    auto it = scripted.find(id);
    const std::int64_t expected = 1 + (it == scripted.end() ? 0 : it->second);
    resends += n - 1;
    if (n > expected) resent_ok += n - expected;
    if (n < expected) ++short_resends;
  }
  EXPECT_EQ(resent_ok, 0) << "items sent again although already acknowledged";
  EXPECT_EQ(short_resends, 0);
  const std::int64_t storm_rows = work_->rows() - storm_first;
  const auto storm_peak_kib = c->PeakRssKiB().value_or(-1);

  // --- Outage. ---
  ASSERT_TRUE(es_.SetDown(true).ok());
  const auto down_at = Clock::now();
  ASSERT_TRUE(WaitFor([&] { return HttpStatus(port, "/readyz") == 503; }, milliseconds(15'000)))
      << "/readyz did not fail while Elasticsearch was down";
  const milliseconds ready_failed_after = Since(down_at);
  std::int64_t rss_third = -1, ready_ok_while_down = 0, ready_probes = 0;
  ASSERT_TRUE(ProducePaced(outage_rate, outage, c, {}, [&](milliseconds elapsed) {
    if (rss_third < 0 && elapsed >= outage / 3) rss_third = c->RssKiB().value_or(-1);
    if (elapsed.count() / 1000 > ready_probes) {  // about once a second
      ++ready_probes;
      if (HttpStatus(port, "/readyz") != 503) ++ready_ok_while_down;
    }
  })) << c->Output().substr(0, 8000);
  const std::int64_t rss_end = c->RssKiB().value_or(-1);
  const std::int64_t bulks_before_up = es_.bulk_requests();
  ASSERT_TRUE(es_.SetDown(false).ok());
  const auto up_at = Clock::now();
  ASSERT_TRUE(work_->Flush());
  ASSERT_TRUE(WaitFor([&] { return es_.bulk_requests() > bulks_before_up; }, milliseconds(60'000)));
  const milliseconds first_bulk_after_up = Since(up_at);
  const auto outage_drained =
      WaitDrained(static_cast<std::size_t>(work_->rows()), milliseconds(180'000), {c});
  ASSERT_TRUE(outage_drained.has_value()) << c->Output().substr(0, 8000);
  const milliseconds outage_recovery = Since(up_at);
  EXPECT_TRUE(WaitFor([&] { return HttpStatus(port, "/readyz") == 200; }, milliseconds(15'000)));
  const std::int64_t peak_kib = c->PeakRssKiB().value_or(-1);
  // Before SIGTERM, whose close revokes the partitions (and says so) as a matter of course.
  const std::string output = c->AllOutput();

  auto exit = GracefulStop(c, port);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->exited && exit->code == 0) << exit->ToString();
  const StoreReport store = CheckStore(es_, SeqRange(0, work_->rows()));
  EXPECT_EQ(store.missing, 0) << store.ToString();
  EXPECT_EQ(store.extra, 0) << store.ToString();
  EXPECT_EQ(ready_ok_while_down, 0) << "/readyz said ready while Elasticsearch was down";
  EXPECT_EQ(CountOf(output, "revoking"), 0) << "the group evicted or rebalanced the consumer";
  EXPECT_EQ(CountOf(output, "assigned "), 1) << "the consumer was assigned partitions again";
  EXPECT_LE(first_bulk_after_up, Scaled(retry_cap + milliseconds(5000))) << "backoff not capped";
  const std::int64_t growth_kib = rss_end - rss_third;
  EXPECT_GE(rss_third, 0);
  EXPECT_LE(growth_kib, 32 * 1024) << "memory grew while Elasticsearch was down";
  if (!kSanitized) {
    EXPECT_LE(peak_kib, 256 * 1024) << "peak RSS above 256 MiB";
  }
  ExpectBrokerKeptEverything(&figures);
  figures.Add("max_buffered_bytes", buffer)
      .AddSeconds("storm", storm)
      .Add("storm_rows", storm_rows)
      .Add("scripted_429_ids", static_cast<std::int64_t>(scripted.size()))
      .Add("item_resends", resends)
      .Add("resent_after_ack", resent_ok)
      .AddSeconds("storm_lag_recovery", storm_recovery)
      .AddMiB("storm_peak_rss", storm_peak_kib)
      .AddSeconds("outage", outage)
      .AddSeconds("readyz_503_after", ready_failed_after)
      .Add("readyz_ok_while_down", ready_ok_while_down)
      .AddMiB("rss_growth_while_down", growth_kib)
      .AddSeconds("first_bulk_after_up", first_bulk_after_up)
      .AddSeconds("outage_recovery", outage_recovery)
      .AddMiB("peak_rss", peak_kib)
      .Add("rss_bound", kSanitized ? "not-enforced(sanitizer)" : "256MiB")
      .Add("rebalances", CountOf(output, "revoking"))
      .Add("stored", store.documents)
      .Add("missing", store.missing)
      .Add("extra", store.extra)
      .Print();
}

// Scenario 6. Responses that must never acknowledge anything: truncated, not JSON, empty, one
// item fewer or more than sent, a wrong id, a connection dropped after the request was applied,
// and an answer that comes after the client's timeout. Each spoiled response hides per-item 429s
// (the fake did not apply those items), so acknowledging a spoiled response would lose them.
TEST_F(ReliabilityFaultsTest, MalformedOrMiscountedBulkResponsesAreNeverAcknowledged) {
  SetUpScenario("bad_responses", 1, kPartitions);
  const std::int64_t chunk = ByScale<std::int64_t>(1000, 20'000);
  const int spoiled_per_kind = 3;
  const int hidden_per_kind = 100;
  Figures figures("bad_responses");
  const std::uint16_t port = FreeLoopbackPort();
  // The client timeout is for the answer that comes too late (12 s); a loaded machine must not
  // trip it with slow but correct answers.
  ConsumerProcess* c = NewConsumer("c", port, {"--es-request-timeout", "8s"});
  ASSERT_TRUE(c->Start().ok());
  ASSERT_TRUE(work_->ProduceRows(chunk, NowMs() - 600'000));
  ASSERT_TRUE(work_->Flush());
  ASSERT_TRUE(WaitDrained(static_cast<std::size_t>(chunk), milliseconds(60'000), {c}))
      << c->Output();

  StoredSeqs stored(es_);
  std::int64_t violations = 0, samples = 0, kinds_run = 0;
  struct Kind {
    const char* name;
    std::function<void()> inject;
  };
  const std::vector<Kind> kinds = {
      {"truncated", [&] { es_.MalformNextResponses(spoiled_per_kind, Malformation::kTruncated); }},
      {"not_json", [&] { es_.MalformNextResponses(spoiled_per_kind, Malformation::kNotJson); }},
      {"empty", [&] { es_.MalformNextResponses(spoiled_per_kind, Malformation::kEmptyBody); }},
      {"fewer_items",
       [&] { es_.MalformNextResponses(spoiled_per_kind, Malformation::kFewerItems); }},
      {"more_items", [&] { es_.MalformNextResponses(spoiled_per_kind, Malformation::kMoreItems); }},
      {"wrong_id", [&] { es_.MalformNextResponses(spoiled_per_kind, Malformation::kWrongId); }},
      {"dropped_after_apply",
       [&] { es_.FaultNextResponses(spoiled_per_kind, ConnectionFault::kDropAfterApply); }},
      {"answer_after_timeout",
       [&] {
         es_.FaultNextResponses(spoiled_per_kind, ConnectionFault::kDelayAfterApply,
                                milliseconds(12'000));
       }},
  };
  // CDC_RELIABILITY_KINDS=wrong_id,more_items replays only those kinds.
  const char* only = std::getenv("CDC_RELIABILITY_KINDS");
  for (const Kind& kind : kinds) {
    if (only != nullptr && *only != '\0' &&
        ("," + std::string(only) + ",").find("," + std::string(kind.name) + ",") ==
            std::string::npos) {
      continue;
    }
    SCOPED_TRACE(kind.name);
    ++kinds_run;
    es_.FailNextItems(hidden_per_kind, 429);
    kind.inject();
    ASSERT_TRUE(work_->ProduceRows(chunk, NowMs() - 600'000));
    ASSERT_TRUE(work_->Flush());
    const auto deadline = Clock::now() + Scaled(milliseconds(120'000));
    const std::vector<std::int64_t> highs = work_->ExpectedHighs();
    bool drained = false;
    while (!drained && Clock::now() < deadline && c->Running()) {
      violations += OffsetViolations(*offsets_, stored, *work_);
      ++samples;
      drained = es_.DocumentCount() >= static_cast<std::size_t>(work_->rows()) &&
                offsets_->Reached(highs);
      if (!drained) std::this_thread::sleep_for(milliseconds(100));
    }
    if (!drained) {
      // Tell "slow" from "stuck": the same picture 30 s later means no progress at all.
      const std::string first = Diagnose(port);
      (void)HoldFor(milliseconds(30'000), {c});
      FAIL() << kind.name << ": not drained; " << first << "\n30 s later: " << Diagnose(port)
             << "\n"
             << c->Output().substr(0, 8000);
    }
  }
  violations += OffsetViolations(*offsets_, stored, *work_);
  auto exit = GracefulStop(c, port);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->exited && exit->code == 0) << exit->ToString();
  const StoreReport store = CheckStore(es_, SeqRange(0, work_->rows()));
  EXPECT_EQ(store.missing, 0) << store.ToString();
  EXPECT_EQ(store.extra, 0) << store.ToString();
  EXPECT_EQ(violations, 0) << "a committed offset passed a record that was not stored";
  figures.Add("kinds", kinds_run)
      .Add("spoiled_responses", kinds_run * spoiled_per_kind)
      .Add("hidden_item_failures", kinds_run * hidden_per_kind)
      .Add("rows", work_->rows())
      .Add("stored", store.documents)
      .Add("missing", store.missing)
      .Add("extra", store.extra)
      .Add("offset_samples", samples)
      .Add("offset_past_undelivered", violations)
      .Print();
}

// Scenario 7. Undecodable records, documents the cluster rejects with 400, and one document too
// large for the cluster's http.max_content_length (413 even alone): each goes to the dead-letter
// topic exactly once, the partitions move on, everything else is stored.
TEST_F(ReliabilityFaultsTest, PoisonGoesToTheDeadLetterTopicExactlyOnce) {
  SetUpScenario("poison", 1, kPartitions, 2);
  const std::int64_t rows = ByScale<std::int64_t>(2000, 40'000);
  const int rejected_400 = 15;
  Figures figures("poison");
  const std::vector<std::string> undecodable = {
      "not json at all",
      "",
      R"({"id":0,"database":"appdb","table":"orders","type":"INSERT")",
      R"({"id":0,"database":"appdb","table":"orders","isDdl":false,"type":"EXPLODE","data":[]})",
      std::string("{\"database\":\"appdb\",\"table\":\"\xff\xfe\",\"type\":\"INSERT\"}"),
      R"([1,2,3])",
      R"({"id":0,"database":"appdb","table":"orders","pkNames":["id"],"isDdl":false,"type":"INSERT","es":1,"ts":2,"sql":"","sqlType":{"id":-5},"mysqlType":{"id":"bigint"},"old":null,"data":"oops"})",
      std::string(3000, '{'),
  };
  const std::size_t max_content = 512 * 1024;
  es_.SetMaxContentLength(max_content);
  std::set<std::string> rejected_ids;
  std::set<std::int64_t> rejected_seqs;
  std::set<std::pair<std::int32_t, std::int64_t>> poison_at;
  std::mt19937_64 rng(ReliabilitySeed());
  std::int64_t oversized_seq = -1;
  std::string oversized_id;
  // Rows, with undecodable records interleaved on every partition.
  for (std::int64_t done = 0; done < rows; done += rows / 10) {
    ASSERT_TRUE(work_->ProduceRows(
        rows / 10, NowMs() - 600'000,
        [&](RowChange& row) {
          if (row.seq == rows / 2) {  // ~600 KiB of incompressible text
            row.note.clear();
            for (int i = 0; i < 600 * 1024; ++i) row.note += static_cast<char>('a' + rng() % 26);
            oversized_seq = row.seq;
          }
        },
        [&](const RowChange& row, const std::string& json) {
          const auto ids = DocIdsOf(json);
          ASSERT_EQ(ids.size(), 1u);
          if (row.seq == oversized_seq) {
            oversized_id = ids[0];
          } else if (static_cast<int>(rejected_ids.size()) < rejected_400 && row.seq % 97 == 5) {
            rejected_ids.insert(ids[0]);
            rejected_seqs.insert(row.seq);
            es_.FailItemsWithId(ids[0], 400, "document_parsing_exception", -1);
          }
        }));
    for (std::size_t i = 0; i < undecodable.size() / 2; ++i) {
      const auto p = static_cast<std::int32_t>((done / (rows / 10) * 3 + i) % kPartitions);
      const std::string& value =
          undecodable[(static_cast<std::size_t>(done / (rows / 10)) + i) % undecodable.size()];
      poison_at.emplace(
          p, static_cast<std::int64_t>(work_->log()[static_cast<std::size_t>(p)].size()));
      ASSERT_TRUE(work_->ProducePoison(p, value));
    }
  }
  ASSERT_TRUE(work_->Flush());
  ASSERT_EQ(static_cast<int>(rejected_ids.size()), rejected_400);
  ASSERT_FALSE(oversized_id.empty());
  ExpectBrokerKeptEverything(&figures);
  const std::int64_t expected_dead = work_->poison() + rejected_400 + 1;

  const std::uint16_t port = FreeLoopbackPort();
  ConsumerProcess* c = NewConsumer("c", port, {"--es-gzip=false", "--es-bulk-max-bytes", "256KiB"});
  ASSERT_TRUE(c->Start().ok());
  const std::size_t stored_expected = static_cast<std::size_t>(rows - rejected_400 - 1);
  ASSERT_TRUE(WaitDrained(stored_expected, milliseconds(120'000), {c}))
      << "documents=" << es_.DocumentCount() << "\n"
      << c->Output().substr(0, 8000);

  // The dead-letter topic: its high watermarks count every letter ever written.
  std::int64_t dlq_records = 0;
  for (int p = 0; p < 2; ++p) {
    auto marks = QueryWatermarks(cluster_->bootstraps(), dlq_, p);
    ASSERT_TRUE(marks.has_value());
    dlq_records += marks->high - marks->low;
  }
  const auto letters =
      ReadTopic(cluster_->bootstraps(), dlq_, 2, static_cast<std::size_t>(dlq_records),
                Scaled(milliseconds(30'000)));
  auto exit = GracefulStop(c, port);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->exited && exit->code == 0) << exit->ToString();

  std::int64_t decode = 0, es400 = 0, es413 = 0, other = 0;
  std::set<std::pair<std::int32_t, std::int64_t>> dead_sources;
  std::set<std::string> dead_ids;
  for (const ConsumedRecord& letter : letters) {
    const std::string reason =
        letter.headers.contains("cdc.reason") ? letter.headers.at("cdc.reason") : "";
    if (reason.starts_with("decode:")) {
      ++decode;
      dead_sources.emplace(std::atoi(letter.headers.at("cdc.source.partition").c_str()),
                           std::atoll(letter.headers.at("cdc.source.offset").c_str()));
    } else if (reason.starts_with("es_400")) {
      ++es400;
      dead_ids.insert(letter.headers.at("cdc.document.id"));
    } else if (reason.starts_with("es_413")) {
      ++es413;
      dead_ids.insert(letter.headers.at("cdc.document.id"));
    } else {
      ++other;
    }
  }
  std::set<std::string> expected_ids = rejected_ids;
  expected_ids.insert(oversized_id);
  EXPECT_EQ(dlq_records, expected_dead);
  EXPECT_EQ(static_cast<std::int64_t>(letters.size()), expected_dead);
  EXPECT_EQ(decode, work_->poison());
  EXPECT_EQ(es400, rejected_400);
  EXPECT_EQ(es413, 1);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(dead_sources, poison_at);
  EXPECT_EQ(dead_ids, expected_ids);
  std::set<std::int64_t> expected_seqs;
  for (std::int64_t s = 0; s < rows; ++s) {
    if (s != oversized_seq && !rejected_seqs.contains(s)) expected_seqs.insert(s);
  }
  const StoreReport store = CheckStore(es_, expected_seqs);
  EXPECT_EQ(store.missing, 0) << store.ToString();
  EXPECT_EQ(store.extra, 0) << store.ToString();
  EXPECT_TRUE(offsets_->Reached(work_->ExpectedHighs())) << "a partition did not move past poison";
  figures.Add("rows", rows)
      .Add("undecodable", work_->poison())
      .Add("rejected_400", rejected_400)
      .Add("oversized_413", 1)
      .Add("dead_letters", dlq_records)
      .Add("expected_dead_letters", expected_dead)
      .Add("stored", store.documents)
      .Add("missing", store.missing)
      .Add("extra", store.extra)
      .Add("committed_to_end", offsets_->Reached(work_->ExpectedHighs()) ? 1 : 0)
      .Print();
}

}  // namespace
}  // namespace cdc::testing
