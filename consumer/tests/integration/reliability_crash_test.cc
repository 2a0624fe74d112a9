// Reliability scenarios 1, 2 and 8 (issue 6): SIGKILL at random and targeted points, SIGTERM
// restarts, TiCDC re-sends. The consumer is the built binary, run as a child process against the
// librdkafka mock cluster and the fake Elasticsearch hosted by this test process.
#include <random>

#include "integration/reliability_harness.h"

namespace cdc::testing {
namespace {

constexpr int kPartitions = 16;

// The offset each partition's consumer had stored (its /metrics cdc_committed_offset, set when
// an offset is stored for the next auto-commit), per partition; -1 when absent.
std::vector<std::int64_t> StoredOffsets(const std::string& scrape, int partitions) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(partitions), -1);
  const std::string name = "cdc_committed_offset{";
  for (std::size_t pos = scrape.find(name); pos != std::string::npos;
       pos = scrape.find(name, pos + 1)) {
    if (pos > 0 && scrape[pos - 1] != '\n') continue;
    const std::size_t p_at = scrape.find("partition=\"", pos);
    const std::size_t eol = scrape.find('\n', pos);
    if (p_at == std::string::npos || p_at > eol) continue;
    const int p = std::atoi(scrape.c_str() + p_at + 11);
    const std::size_t space = scrape.rfind(' ', eol);
    if (p >= 0 && p < partitions) {
      out[static_cast<std::size_t>(p)] =
          static_cast<std::int64_t>(std::atof(scrape.c_str() + space + 1));
    }
  }
  return out;
}

enum class KillPoint { kRandom, kMidBulk, kAfterApplyBeforeCommit, kDuringRebalance };

const char* KillPointName(KillPoint k) {
  switch (k) {
    case KillPoint::kRandom:
      return "random";
    case KillPoint::kMidBulk:
      return "mid_bulk";
    case KillPoint::kAfterApplyBeforeCommit:
      return "after_apply";
    case KillPoint::kDuringRebalance:
      return "rebalance";
  }
  return "?";
}

class ReliabilityCrashTest : public ReliabilityTest {};

// Every answer of the fake Elasticsearch waits this long while a kill point holds (the random
// delay, the wait for a rebalance), so that at most a few bulks per consumer land in the
// meantime. Unpaced, a Release-build consumer stored all 100 000 quick-scale events within one
// such hold, and the later kill points found nothing flowing (a mid-bulk kill then waited in vain
// for a bulk request).
constexpr milliseconds kPacedLatency(2000);

// Scenario 1. Kill points, in a cycle: a random moment; mid-bulk (the fake holds a bulk request
// it has received and applied but not answered); right after a bulk was acknowledged and its
// offsets stored but before the auto-commit sent them; while the group rebalances because a
// second consumer joined. Each kill comes after a random share of the events was stored, so that
// every kill happens while events flow.
TEST_F(ReliabilityCrashTest, SigkillAtRandomAndTargetedPointsLosesNothing) {
  SetUpScenario("crash", 1, kPartitions);
  const std::int64_t events = ByScale<std::int64_t>(100'000, 1'000'000);
  const int kills = ByScale(5, 20);
  std::mt19937_64 rng(ReliabilitySeed());
  Figures figures("crash");

  ASSERT_TRUE(work_->ProduceRows(events, NowMs() - 3'600'000));
  ASSERT_TRUE(work_->Flush());
  ExpectBrokerKeptEverything();
  if (HasFailure()) return;

  const std::uint16_t port_a = FreeLoopbackPort();
  const std::uint16_t port_b = FreeLoopbackPort();
  ConsumerProcess* procs[2] = {NewConsumer("a", port_a), NewConsumer("b", port_b)};
  const std::uint16_t ports[2] = {port_a, port_b};
  int cur = 0;
  ASSERT_TRUE(procs[cur]->Start().ok());
  const auto start = Clock::now();

  const KillPoint cycle[] = {KillPoint::kRandom, KillPoint::kMidBulk,
                             KillPoint::kAfterApplyBeforeCommit, KillPoint::kDuringRebalance};
  std::int64_t held_at_kill = 0, acked_uncommitted_at_kill = 0;
  std::vector<std::int64_t> last_stored;
  int after_apply_misses = 0;
  bool retry_after_apply = false;
  std::map<std::string, int> by_point;
  int kills_done = 0;
  // `slot` walks the cycle; a missed after-apply kill is retried without advancing it.
  for (int slot = 0; slot < kills; slot += retry_after_apply ? 0 : 1) {
    const int k = kills_done++;
    const KillPoint point = retry_after_apply ? KillPoint::kAfterApplyBeforeCommit
                                              : cycle[static_cast<std::size_t>(slot) % 4];
    ConsumerProcess* victim = procs[cur];
    if (!victim->Running()) {
      ASSERT_TRUE(victim->Start().ok());
    }
    // Progress threshold: the slot-th of kills+2 equal slices, shifted randomly within its
    // first half (a retry only waits for some progress of the restarted consumer).
    const std::int64_t slice = events / (kills + 2);
    const std::int64_t threshold =
        retry_after_apply
            ? std::min(static_cast<std::int64_t>(es_.DocumentCount()) + slice / 10,
                       slice * (kills + 1))
            : slice * (slot + 1) +
                  static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(slice / 2));
    ASSERT_TRUE(WaitDocs(static_cast<std::size_t>(threshold), milliseconds(120'000), {victim}))
        << "kill " << k << ": no progress to " << threshold << " documents; "
        << victim->Output().substr(0, 4000);

    switch (point) {
      case KillPoint::kRandom: {
        es_.SetLatency(kPacedLatency);
        const milliseconds delay(static_cast<std::int64_t>(rng() % 1500));
        ASSERT_TRUE(HoldFor(delay, {victim})) << victim->Output();
        break;
      }
      case KillPoint::kMidBulk: {
        es_.SetLatency(milliseconds(3000));
        const std::int64_t before = es_.bulk_requests();
        ASSERT_TRUE(WaitFor([&] { return es_.bulk_requests() > before || !victim->Running(); },
                            milliseconds(30'000)))
            << "kill " << k << ": no bulk request in 30 s; " << es_.DocumentCount() << " of "
            << events << " documents stored; " << victim->Output().substr(0, 4000);
        ++held_at_kill;
        break;
      }
      case KillPoint::kAfterApplyBeforeCommit: {
        // Offsets stored for acknowledged documents wait up to 1 s for the next auto-commit.
        // Scrape until the consumer's stored offsets are ahead of the group's committed ones,
        // then kill at once; the committed offsets read after the kill confirm where it landed.
        // A commit can slip in between the scrape and the kill (a window of a few ms out of
        // 1 s): such a miss is retried as the next kill, three misses in a row fail the test.
        bool seen_ahead = false;
        ASSERT_TRUE(WaitFor(
            [&] {
              const auto before = offsets_->Committed(milliseconds(1000));
              if (!before || !victim->Running()) return !victim->Running();
              const std::vector<std::int64_t> stored =
                  StoredOffsets(Scrape(ports[cur]), kPartitions);
              for (int p = 0; p < kPartitions; ++p) {
                const auto i = static_cast<std::size_t>(p);
                seen_ahead = seen_ahead || stored[i] > (*before)[i];
              }
              if (!seen_ahead) return false;
              victim->Signal(SIGKILL);
              last_stored = stored;
              return true;
            },
            milliseconds(60'000)))
            << "stored offsets never ran ahead of the committed ones";
        ASSERT_TRUE(victim->Wait(milliseconds(10'000)).has_value());
        const auto committed = offsets_->Committed();
        ASSERT_TRUE(committed.has_value());
        std::int64_t ahead = 0;
        for (int p = 0; p < kPartitions; ++p) {
          const auto i = static_cast<std::size_t>(p);
          if (last_stored[i] > (*committed)[i]) {
            ahead += last_stored[i] - std::max<std::int64_t>(0, (*committed)[i]);
          }
        }
        if (ahead == 0) {
          ++after_apply_misses;
          ASSERT_LT(after_apply_misses, 3) << "three kills in a row missed the commit window";
          retry_after_apply = true;
        } else {
          after_apply_misses = 0;
          retry_after_apply = false;
        }
        acked_uncommitted_at_kill += ahead;
        break;
      }
      case KillPoint::kDuringRebalance: {
        es_.SetLatency(kPacedLatency);
        ConsumerProcess* joiner = procs[1 - cur];
        // The progress threshold may already have been passed by the consumers before it, so
        // the victim may not even have joined: a joiner started now would join with it and the
        // victim would have nothing to revoke. Wait for its first assignment.
        ASSERT_TRUE(
            WaitFor([&] { return CountOf(victim->Output(), "assigned") > 0 || !victim->Running(); },
                    milliseconds(30'000)))
            << "the victim never got an assignment: " << victim->Output().substr(0, 4000);
        const std::int64_t revokes_before = CountOf(victim->Output(), "revoking");
        ASSERT_TRUE(joiner->Start().ok());
        ASSERT_TRUE(WaitFor(
            [&] {
              return CountOf(victim->Output(), "revoking") > revokes_before || !victim->Running();
            },
            milliseconds(30'000)))
            << "no rebalance seen by the running consumer";
        cur = 1 - cur;  // the joiner carries on
        break;
      }
    }
    auto exit = victim->Kill();  // reaps only, after kAfterApplyBeforeCommit's own kill
    ASSERT_TRUE(exit.has_value());
    EXPECT_EQ(exit->signal, SIGKILL)
        << "consumer ended on its own before kill " << k << ": " << exit->ToString() << "\n"
        << victim->Output().substr(0, 4000);
    es_.SetLatency(milliseconds(0));
    ++by_point[KillPointName(point)];
    if (point != KillPoint::kDuringRebalance) {
      ASSERT_TRUE(victim->Start().ok());
    }
  }

  ConsumerProcess* last = procs[cur];
  if (!last->Running()) {
    ASSERT_TRUE(last->Start().ok());
  }
  const auto drained = WaitDrained(static_cast<std::size_t>(events), milliseconds(300'000), {last});
  ASSERT_TRUE(drained.has_value()) << "documents=" << es_.DocumentCount() << "\n"
                                   << last->Output().substr(0, 6000);
  const milliseconds total = Since(start);
  auto exit = GracefulStop(last, ports[cur]);
  ASSERT_TRUE(exit.has_value()) << "no exit within 30 s of SIGTERM";
  EXPECT_TRUE(exit->exited && exit->code == 0) << exit->ToString() << "\n" << last->Output();

  const StoreReport store = CheckStore(es_, SeqRange(0, events));
  EXPECT_EQ(store.missing, 0) << store.ToString();
  EXPECT_EQ(store.extra, 0) << store.ToString();
  EXPECT_EQ(store.documents, events);
  const auto committed = offsets_->Committed();
  ASSERT_TRUE(committed.has_value());
  EXPECT_EQ(*committed, work_->ExpectedHighs()) << "committed offsets are not the end of the log";
  ExpectBrokerKeptEverything(&figures);

  std::string points;
  for (const auto& [name, n] : by_point)
    points += (points.empty() ? "" : ",") + name + ":" + std::to_string(n);
  figures.Add("produced", events)
      .Add("stored", store.documents)
      .Add("missing", store.missing)
      .Add("extra", store.extra)
      .Add("kills", kills_done)
      .Add("after_apply_misses_retried", kills_done - kills)
      .Add("points", points)
      .Add("held_bulks_at_kill", held_at_kill)
      .Add("acked_uncommitted_at_kill", acked_uncommitted_at_kill)
      .Add("redelivered_writes", Redelivered())
      .AddSeconds("elapsed", total)
      .Print();
}

// Scenario 2: SIGTERM and restart 5 times while events flow. A graceful stop flushes in-flight
// bulks and commits, so nothing is written twice: neither stored twice (create semantics would
// turn that into a 409 anyway) nor even sent twice (the fake counts every item it receives).
TEST_F(ReliabilityCrashTest, SigtermRestartsWriteNothingTwice) {
  SetUpScenario("restart", 1, kPartitions);
  const std::int64_t events = ByScale<std::int64_t>(20'000, 300'000);
  const int restarts = 5;
  Figures figures("restart");
  ASSERT_TRUE(work_->ProduceRows(events, NowMs() - 3'600'000));
  ASSERT_TRUE(work_->Flush());
  ExpectBrokerKeptEverything(&figures);

  const std::uint16_t port = FreeLoopbackPort();
  // What is under test is that a stop given the time to finish its requests writes nothing
  // twice. Under sanitizers on a loaded 2-core machine one bulk request to the fake can take
  // seconds, so the deadline is raised from the default 8 s; a stop that hits its deadline
  // (still without a duplicate document) is covered by the sink's unit tests.
  ConsumerProcess* c = NewConsumer("c", port, {"--shutdown-timeout", "30s"});
  ASSERT_TRUE(c->Start().ok());
  milliseconds longest_stop(0);
  for (int r = 1; r <= restarts; ++r) {
    // SIGTERM only once the process is ready (its pipeline runs), and only after it made
    // progress of its own.
    ASSERT_TRUE(WaitReady(port, c, milliseconds(30'000))) << c->Output();
    const auto threshold =
        std::min(static_cast<std::size_t>(events),
                 std::max(static_cast<std::size_t>(events * r / (restarts + 2)),
                          es_.DocumentCount() + static_cast<std::size_t>(events / 50)));
    ASSERT_TRUE(WaitDocs(threshold, milliseconds(120'000), {c})) << Diagnose(port) << "\n"
                                                                 << c->Output();
    const auto t0 = Clock::now();
    auto exit = c->Terminate(milliseconds(60'000));
    longest_stop = std::max(longest_stop, Since(t0));
    ASSERT_TRUE(exit.has_value()) << "no exit within 60 s of SIGTERM";
    EXPECT_TRUE(exit->exited && exit->code == 0) << exit->ToString() << "\n" << c->Output();
    ASSERT_TRUE(c->Start().ok());
  }
  const auto drained = WaitDrained(static_cast<std::size_t>(events), milliseconds(180'000), {c});
  ASSERT_TRUE(drained.has_value()) << Diagnose(port) << "\n" << c->Output();
  auto exit = GracefulStop(c, port);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->exited && exit->code == 0) << exit->ToString();

  const StoreReport store = CheckStore(es_, SeqRange(0, events));
  const std::int64_t redelivered = Redelivered();
  EXPECT_EQ(store.missing, 0) << store.ToString();
  EXPECT_EQ(store.extra, 0) << store.ToString();
  EXPECT_EQ(redelivered, 0) << "items sent again after a graceful restart";
  EXPECT_TRUE(offsets_->Reached(work_->ExpectedHighs()));
  figures.Add("produced", events)
      .Add("stored", store.documents)
      .Add("missing", store.missing)
      .Add("stored_twice", store.extra)
      .Add("redelivered_writes", redelivered)
      .Add("restarts", restarts)
      .AddSeconds("longest_stop", longest_stop)
      .Print();
}

// A SIGTERM that arrives while the process starts (HTTP server up, pipeline not yet running)
// must still stop it, promptly and cleanly: an orchestrator that stops a pod during startup
// otherwise waits for its kill timeout. Found by the restart scenario, which sends SIGTERM as
// soon as a restarted consumer answers /healthz.
TEST_F(ReliabilityCrashTest, SigtermDuringStartupIsHonoured) {
  SetUpScenario("sigterm_startup", 1, kPartitions);
  Figures figures("sigterm_startup");
  const std::uint16_t port = FreeLoopbackPort();
  ConsumerProcess* c = NewConsumer("c", port);
  const int attempts = 2;
  int clean = 0;
  milliseconds slowest(0);
  for (int i = 0; i < attempts; ++i) {
    ASSERT_TRUE(c->Start().ok());
    ASSERT_TRUE(WaitServing(port, c, milliseconds(30'000))) << c->Output();
    const auto t0 = Clock::now();
    // Unscaled: a stop takes the join (3 s) plus shutdown-timeout (8 s) at worst, even under
    // sanitizers.
    auto exit = c->Terminate(milliseconds(30'000));
    slowest = std::max(slowest, Since(t0));
    EXPECT_TRUE(exit.has_value()) << "SIGTERM during startup ignored (killed after 30 s)\n"
                                  << c->Output();
    if (exit) {
      EXPECT_TRUE(exit->exited && exit->code == 0) << exit->ToString() << "\n" << c->Output();
      clean += exit->exited && exit->code == 0 ? 1 : 0;
    }
  }
  figures.Add("attempts", attempts)
      .Add("clean_exits", clean)
      .AddSeconds("slowest_exit", slowest)
      .Print();
}

// Scenario 8: TiCDC re-sends row changes (same commitTs and row, new `ts`, later offsets) after
// a changefeed restart, mixed with new rows. Deterministic ids make every re-send a 409.
TEST_F(ReliabilityCrashTest, TicdcResendsCreateNoExtraDocuments) {
  SetUpScenario("resend", 1, kPartitions);
  const std::int64_t events = ByScale<std::int64_t>(10'000, 100'000);
  Figures figures("resend");
  ASSERT_TRUE(work_->ProduceRows(events, NowMs() - 3'600'000));
  ASSERT_TRUE(work_->Flush());
  const std::uint16_t port = FreeLoopbackPort();
  ConsumerProcess* c = NewConsumer("c", port);
  ASSERT_TRUE(c->Start().ok());
  ASSERT_TRUE(WaitDrained(static_cast<std::size_t>(events), milliseconds(120'000), {c}))
      << c->Output();

  // The whole history again with ts + 5 s, interleaved with new rows.
  const std::int64_t fresh = events / 10;
  for (std::int64_t first = 0; first < events; first += events / 10) {
    ASSERT_TRUE(work_->ResendRows(first, events / 10, 5000));
    ASSERT_TRUE(work_->ProduceRows(fresh / 10, NowMs() - 60'000));
  }
  ASSERT_TRUE(work_->Flush());
  ExpectBrokerKeptEverything(&figures);
  const auto drained =
      WaitDrained(static_cast<std::size_t>(events + fresh), milliseconds(120'000), {c});
  ASSERT_TRUE(drained.has_value()) << c->Output();
  auto exit = GracefulStop(c, port);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->exited && exit->code == 0) << exit->ToString();

  const StoreReport store = CheckStore(es_, SeqRange(0, work_->rows()));
  EXPECT_EQ(store.missing, 0) << store.ToString();
  EXPECT_EQ(store.extra, 0) << store.ToString();
  EXPECT_EQ(store.documents, events + fresh);
  // Each re-sent document reached the fake twice (the second a 409), every other one once.
  std::int64_t twice = 0, other = 0;
  for (const auto& [id, n] : es_.ItemsReceivedById()) {
    if (n == 2) {
      ++twice;
    } else if (n != 1) {
      ++other;
    }
  }
  EXPECT_EQ(twice, events);
  EXPECT_EQ(other, 0);
  figures.Add("rows", events + fresh)
      .Add("resent", events)
      .Add("stored", store.documents)
      .Add("extra", store.extra)
      .Add("missing", store.missing)
      .Add("resends_answered_409", twice)
      .Print();
}

}  // namespace
}  // namespace cdc::testing
