// Security checks of issue 6: sentinel values in redacted columns and in Elasticsearch
// credentials never reach documents, ids, dead letters, logs, metrics, HTTP output or crash
// output; hostile table names keep the metric series bounded and the scrape valid for promtool;
// TLS to Elasticsearch is refused without the right CA. The consumer is the built binary, run as
// a child process; the broker is the librdkafka mock cluster, the store the fake Elasticsearch.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/base64.h"
#include "integration/reliability_harness.h"

namespace cdc::testing {
namespace {

constexpr const char* kSentinel = "S3NT1NEL";

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif

std::string Hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Runs a shell command; its exit status and combined output.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof(buf), pipe)) output.append(buf, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

class ReliabilitySecurityTest : public ReliabilityTest {
 protected:
  // Everything the store holds, ids and sources, as one text.
  std::string StoreText() const {
    std::string all;
    for (const std::string& id : es_.DocumentIds()) {
      all += id + "\n" + es_.Document("cdc-events", id).value_or("") + "\n";
    }
    return all;
  }
  std::string TopicText(const std::string& topic, int partitions) const {
    std::int64_t n = 0;
    for (int p = 0; p < partitions; ++p) {
      auto m = QueryWatermarks(cluster_->bootstraps(), topic, p);
      if (m) n += m->high - m->low;
    }
    std::string all;
    for (const ConsumedRecord& r : ReadTopic(cluster_->bootstraps(), topic, partitions,
                                             static_cast<std::size_t>(n), milliseconds(20'000))) {
      all += r.key + "\n" + r.value + "\n";
      for (const auto& [k, v] : r.headers) all += k + "=" + v + "\n";
    }
    return all;
  }
  // Every HTTP endpoint the consumer serves that an operator (or attacker) could read.
  static std::string HttpText(std::uint16_t port) {
    std::string all;
    for (const char* path : {"/metrics", "/healthz", "/readyz", "/", "/api/events",
                             "/api/events?limit=1000", "/api/status", "/ui.js"}) {
      if (auto r = HttpGet(port, path))
        all += std::string(path) + "\n" + r->headers + "\n" + r->body;
    }
    return all;
  }
};

TEST_F(ReliabilitySecurityTest, SentinelsNeverLeak) {
  SetUpScenario("sentinels", 1, 4, 1);
  const std::string tag = Hex(ReliabilitySeed());
  const std::string es_password = std::string(kSentinel) + "-espw-" + tag;
  const std::string api_key = std::string(kSentinel) + "-apikey-" + tag;
  const std::int64_t rows = ByScale<std::int64_t>(2000, 20'000);
  const int rejected = 10;
  Figures figures("sentinels");
  std::map<std::string, std::string> captured;  // what was captured -> its text

  std::set<std::int64_t> rejected_seqs;
  auto customize = [&](RowChange& row) {
    row.password = std::string(kSentinel) + "-pw-" + tag + "-" + std::to_string(row.seq);
    row.password_is_pk = row.seq % 5 == 0;  // a redacted primary key, hashed into the id
  };
  auto reject_some = [&](const RowChange& row, const std::string& json) {
    if (static_cast<int>(rejected_seqs.size()) < rejected && row.seq % 13 == 3) {
      for (const std::string& id : DocIdsOf(json)) es_.FailItemsWithId(id, 400, "", -1);
      rejected_seqs.insert(row.seq);
    }
  };
  ASSERT_TRUE(work_->ProduceRows(rows, NowMs() - 600'000, customize, reject_some));
  ASSERT_TRUE(work_->ProducePoison(0, "undecodable record without secrets"));
  ASSERT_TRUE(work_->Flush());
  // Positive control: the input really holds the sentinels the checks look for.
  ASSERT_GT(CountOf(TopicText(topic_, 4), kSentinel), rows - 1);

  const std::uint16_t port = FreeLoopbackPort();
  // Run 1: basic authentication, password from the environment.
  std::string basic;
  AppendBase64("elastic:" + es_password, &basic);
  es_.RequireAuthorization("Basic " + basic);
  ConsumerProcess* c = NewConsumer("basic", port, {"--log-level", "debug"},
                                   {{"CDC_ES_USER", "elastic"}, {"CDC_ES_PASSWORD", es_password}});
  ASSERT_TRUE(c->Start().ok());
  const std::size_t stored = static_cast<std::size_t>(rows - rejected);
  ASSERT_TRUE(WaitDrained(stored, milliseconds(120'000), {c})) << c->Output().substr(0, 6000);
  captured["http_basic"] = HttpText(port);
  ASSERT_TRUE(c->Terminate(milliseconds(30'000)).has_value());

  // Run 2: an API key from the environment, first refused (401) then accepted.
  es_.RequireAuthorization("ApiKey not-the-configured-one");
  ConsumerProcess* k =
      NewConsumer("apikey", port, {"--log-level", "debug"}, {{"CDC_ES_API_KEY", api_key}});
  ASSERT_TRUE(k->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return es_.last_authorization() == "ApiKey " + api_key; },
                      milliseconds(30'000)));
  // Give the refusal time to be logged (no assertion on the wording of someone else's log).
  const bool refusal_logged = WaitFor(
      [&] {
        const std::string out = k->Output();
        return out.find("401") != std::string::npos ||
               out.find("security_exception") != std::string::npos;
      },
      milliseconds(10'000));
  es_.RequireAuthorization("ApiKey " + api_key);
  ASSERT_TRUE(work_->ProduceRows(rows / 4, NowMs() - 600'000, customize));
  ASSERT_TRUE(work_->Flush());
  ASSERT_TRUE(WaitDrained(stored + static_cast<std::size_t>(rows / 4), milliseconds(120'000), {k}))
      << k->Output().substr(0, 6000);
  captured["http_apikey"] = HttpText(port);

  // Run 3: a crash (SIGSEGV) with the secrets in the environment; ASan builds print a report.
  ASSERT_TRUE(k->Signal(SIGSEGV));
  auto crashed = k->Wait(Scaled(milliseconds(30'000)));
  ASSERT_TRUE(crashed.has_value());
  EXPECT_FALSE(crashed->exited && crashed->code == 0) << crashed->ToString();

  // Run 4: --print-config and an invalid configuration, both with secrets set.
  std::map<std::string, std::string> secrets = {
      {"CDC_ES_USER", "elastic"}, {"CDC_ES_PASSWORD", es_password}, {"CDC_ES_API_KEY", api_key}};
  ConsumerProcess* dump =
      NewConsumer("print-config", port, {"--print-config", "-X", "sasl.password=" + es_password},
                  {{"CDC_ES_USER", "elastic"}, {"CDC_ES_PASSWORD", es_password}});
  ASSERT_TRUE(dump->Start().ok());
  ASSERT_TRUE(dump->Wait(Scaled(milliseconds(30'000))).has_value());
  ConsumerProcess* bad =
      NewConsumer("bad-config", port,
                  {"--es-bulk-max-docs", "0", "-X", "sasl.password=" + es_password}, secrets);
  ASSERT_TRUE(bad->Start().ok());
  auto bad_exit = bad->Wait(Scaled(milliseconds(30'000)));
  ASSERT_TRUE(bad_exit.has_value());
  EXPECT_TRUE(bad_exit->exited && bad_exit->code != 0) << bad_exit->ToString();

  // Run 5: the embedded store (no Elasticsearch) and its /api, and `decode` of the same input.
  const std::string store_path = log_dir_ + "/store.sqlite";
  ConsumerProcessOptions local;
  local.args = {"run",
                "--brokers",
                cluster_->bootstraps(),
                "--topic",
                topic_,
                "--group",
                "cdc-sentinel-local",
                "--dlq-topic",
                dlq_,
                "--es-url",
                "",
                "--store-path",
                store_path,
                "--listen",
                "127.0.0.1:" + std::to_string(port),
                "-X",
                "session.timeout.ms=6000"};
  local.log_dir = log_dir_;
  local.name = "local";
  ConsumerProcess local_proc(local);
  ASSERT_TRUE(local_proc.Start().ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = HttpGet(port, "/api/events");
        return !local_proc.Running() ||
               (r && r->status == 200 && r->body.find("orders") != std::string::npos);
      },
      milliseconds(60'000)))
      << local_proc.Output().substr(0, 4000);
  captured["http_local"] = HttpText(port);
  ASSERT_TRUE(local_proc.Terminate(milliseconds(30'000)).has_value());
  for (const char* suffix : {"", "-wal"}) {  // the rows may still sit in the write-ahead log
    if (std::filesystem::exists(store_path + suffix)) {
      captured[std::string("sqlite_file") + suffix] = ReadFile(store_path + suffix);
    }
  }
  EXPECT_GT(captured["sqlite_file"].size() + captured["sqlite_file-wal"].size(), 100'000u);
  // `decode` takes one canal-json message per FILE.
  ConsumerProcessOptions decode_opts;
  decode_opts.args = {"decode"};
  for (std::int64_t s = 0; s < 5; ++s) {
    const std::string file = log_dir_ + "/decode-input-" + std::to_string(s) + ".json";
    std::ofstream input(file, std::ios::binary);
    input << RowChangeJson(work_->row(s));
    decode_opts.args.push_back(file);
  }
  decode_opts.log_dir = log_dir_;
  decode_opts.name = "decode";
  ConsumerProcess decode(decode_opts);
  ASSERT_TRUE(decode.Start().ok());
  ASSERT_TRUE(decode.Wait(Scaled(milliseconds(30'000))).has_value());
  EXPECT_NE(decode.Output().find("[REDACTED]"), std::string::npos)
      << decode.Output().substr(0, 2000);

  // Gather everything and grep it.
  captured["documents_and_ids"] = StoreText();
  captured["last_bulk_body"] = es_.last_bulk_body();
  captured["dead_letters"] = TopicText(dlq_, 1);
  for (ConsumerProcess* p : {c, k, dump, bad, &local_proc, &decode}) {
    captured["output_" + p->options().name] = p->AllOutput();
  }
  // Not vacuous: documents were stored, redacted, dead letters written, outputs captured.
  EXPECT_NE(captured["documents_and_ids"].find("[REDACTED]"), std::string::npos);
  EXPECT_GE(CountOf(captured["dead_letters"], "cdc.reason="), rejected + 1);
  EXPECT_NE(captured["http_basic"].find("cdc_events_total"), std::string::npos);
  EXPECT_NE(captured["output_print-config"].find("***"), std::string::npos)
      << captured["output_print-config"].substr(0, 2000);
  if (kAsan) {
    EXPECT_NE(captured["output_apikey"].find("AddressSanitizer"), std::string::npos)
        << "no crash report captured";
  }
  std::int64_t hits = 0;
  std::int64_t bytes = 0;
  for (const auto& [what, text] : captured) {
    const std::int64_t n = CountOf(text, kSentinel);
    EXPECT_EQ(n, 0) << "sentinel found in " << what << " near: "
                    << text.substr(text.find(kSentinel) < 80 ? 0 : text.find(kSentinel) - 80, 200);
    hits += n;
    bytes += static_cast<std::int64_t>(text.size());
  }
  figures.Add("rows", work_->rows())
      .Add("sources_grepped", static_cast<std::int64_t>(captured.size()))
      .Add("bytes_grepped", bytes)
      .Add("sentinel_hits", hits)
      .Add("auth_refusal_logged", refusal_logged ? 1 : 0)
      .Add("crash_signal", crashed->signal)
      .Add("crash_report", kAsan ? "asan" : "none(no sanitizer)")
      .Print();
}

// 100k distinct hostile table names: long, quotes/backslashes/newlines, control characters and
// non-Latin text, and invalid UTF-8 (undecodable: those become dead letters).
TEST_F(ReliabilitySecurityTest, HostileTableNamesKeepMetricSeriesBounded) {
  SetUpScenario("hostile_tables", 1, 16, 4);
  const std::int64_t tables = 100'000;
  const int cap = 200;  // the default --max-table-series
  Figures figures("hostile_tables");
  std::int64_t invalid_utf8 = 0;
  ASSERT_TRUE(work_->ProduceRows(tables, NowMs() - 600'000, [&](RowChange& row) {
    row.type = "INSERT";
    row.note = "x";
    const std::string n = std::to_string(row.seq);
    switch (row.seq % 4) {
      case 0:
        // Distinct in the first bytes, so that the label length cap cannot merge two names.
        row.table = n + std::string(300 + row.seq % 700, 't');
        break;
      case 1:
        row.table = "q\"uo'te\\s\nnew}line{=" + n;
        row.database = "db\"" + n.substr(0, 1);
        break;
      case 2:
        row.table = "\xe8\xa1\xa8\t\x01\x7f\xf0\x9f\x92\xa5 " + n;
        break;
      case 3:
        row.table = "bad\xff\xfe\xc0utf8" + n;
        ++invalid_utf8;
        break;
    }
  }));
  ASSERT_TRUE(work_->Flush());
  ExpectBrokerKeptEverything(&figures);

  const std::uint16_t port = FreeLoopbackPort();
  ConsumerProcess* c = NewConsumer("c", port);
  ASSERT_TRUE(c->Start().ok());
  const auto valid = static_cast<std::size_t>(tables - invalid_utf8);
  ASSERT_TRUE(WaitDrained(valid, milliseconds(300'000), {c}))
      << "documents=" << es_.DocumentCount() << "\n"
      << c->Output().substr(0, 6000);
  const std::string scrape = Scrape(port);
  ASSERT_FALSE(scrape.empty());
  auto exit = GracefulStop(c, port);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->exited && exit->code == 0) << exit->ToString();

  const auto events_series = MetricSeries(scrape, "cdc_events_total");
  std::set<std::string> pairs;
  for (const std::string& labels : events_series) {
    // {database="..",op="..",table=".."}: drop the op label to count database/table pairs.
    std::string key = labels;
    const auto op = key.find("op=\"");
    if (op != std::string::npos) key.erase(op, key.find('"', op + 4) + 1 - op);
    pairs.insert(key);
  }
  const double counted = MetricSum(scrape, "cdc_events_total");
  EXPECT_EQ(static_cast<int>(pairs.size()), cap + 1) << "cap + the overflow bucket";
  EXPECT_EQ(static_cast<int>(events_series.size()), cap + 1);
  EXPECT_EQ(static_cast<std::size_t>(counted), valid) << "every delivered event counted once";
  EXPECT_NE(scrape.find("__overflow__"), std::string::npos);
  const std::size_t dead_letter_series = MetricSeries(scrape, "cdc_dead_letters_total").size() +
                                         MetricSeries(scrape, "cdc_decode_errors_total").size();
  EXPECT_LE(dead_letter_series, 20u) << "reason labels must come from a fixed set";

  const std::string scrape_file = log_dir_ + "/metrics.txt";
  {
    std::ofstream out(scrape_file, std::ios::binary);
    out << scrape;
  }
  const auto [promtool_rc, promtool_out] = Shell("promtool check metrics < " + scrape_file);
  EXPECT_EQ(promtool_rc, 0) << promtool_out;
  EXPECT_EQ(promtool_out, "") << promtool_out;
  const StoreReport store = CheckStore(es_, SeqRange(0, tables));
  EXPECT_EQ(store.extra, 0) << store.ToString();
  EXPECT_EQ(store.missing, invalid_utf8) << store.ToString();  // dead-lettered, not stored
  figures.Add("tables", tables)
      .Add("invalid_utf8_dead_lettered", invalid_utf8)
      .Add("events_total_series", static_cast<std::int64_t>(events_series.size()))
      .Add("cap", cap)
      .Add("overflow_bucket", 1)
      .Add("reason_series", static_cast<std::int64_t>(dead_letter_series))
      .Add("scrape_bytes", static_cast<std::int64_t>(scrape.size()))
      .Add("promtool_rc", promtool_rc)
      .Print();
}

// TLS: a self-signed certificate is refused unless its CA is configured, and a certificate for
// another host is refused even with its CA configured. (The sink's own unit tests cover the
// client settings; this is the same at the binary level.)
TEST_F(ReliabilitySecurityTest, TlsRefusedWithoutTheRightCa) {
  SetUpScenario("tls", 1, 4, 1);
  Figures figures("tls");
  const std::string dir = log_dir_;
  auto make_cert = [&](const std::string& name, const std::string& san) {
    return Shell("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name +
                 " -addext subjectAltName=" + san + " -keyout " + dir + "/" + name + ".key -out " +
                 dir + "/" + name + ".pem")
        .first;
  };
  ASSERT_EQ(make_cert("loopback", "IP:127.0.0.1"), 0);
  ASSERT_EQ(make_cert("elsewhere", "DNS:wrong.example"), 0);
  ASSERT_TRUE(work_->ProduceRows(200, NowMs() - 600'000));
  ASSERT_TRUE(work_->Flush());

  struct Case {
    const char* name;
    const char* cert;
    std::string ca_file;  // empty: system store
    bool accepted;
  };
  const std::vector<Case> cases = {
      {"self_signed_no_ca", "loopback", "", false},
      {"wrong_host_with_ca", "elsewhere", dir + "/elsewhere.pem", false},
      {"right_ca", "loopback", dir + "/loopback.pem", true},
  };
  std::int64_t refused = 0, accepted = 0;
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    FakeElasticsearchOptions tls_options;
    tls_options.cert_file = dir + "/" + tc.cert + ".pem";
    tls_options.key_file = dir + "/" + tc.cert + ".key";
    FakeElasticsearch tls_es(tls_options);
    const Status started = tls_es.Start();
    if (!started.ok()) GTEST_SKIP() << "the fake cannot serve HTTPS here: " << started.ToString();
    const std::uint16_t port = FreeLoopbackPort();
    ConsumerArgs a = Args(port);
    a.es_url = tls_es.url();
    a.group = std::string("cdc-tls-") + tc.name;
    if (!tc.ca_file.empty()) a.extra = {"--es-ca-file", tc.ca_file};
    ConsumerProcessOptions o;
    o.args = RunArgs(a);
    o.log_dir = log_dir_;
    o.name = tc.name;
    ConsumerProcess p(o);
    ASSERT_TRUE(p.Start().ok());
    if (tc.accepted) {
      ASSERT_TRUE(WaitFor([&] { return tls_es.DocumentCount() >= 200 || !p.Running(); },
                          milliseconds(60'000)))
          << p.Output().substr(0, 4000);
      EXPECT_EQ(tls_es.DocumentCount(), 200u);
      ++accepted;
    } else {
      // Refused: Kafka is up but the sink never becomes ready, and stays so for a few health
      // rounds while the consumer keeps trying; nothing reaches the server.
      ASSERT_TRUE(WaitFor(
          [&] {
            auto r = HttpGet(port, "/readyz");
            return !p.Running() || (r && r->status == 503 &&
                                    r->body.find("\"kafka\":\"up\"") != std::string::npos &&
                                    r->body.find("\"sink\":\"down\"") != std::string::npos);
          },
          milliseconds(60'000)))
          << p.Output().substr(0, 4000);
      EXPECT_TRUE(HoldFor(milliseconds(6000), {&p})) << p.Output().substr(0, 4000);
      EXPECT_EQ(HttpStatus(port, "/readyz"), 503);
      EXPECT_EQ(tls_es.bulk_requests(), 0);
      EXPECT_EQ(tls_es.template_puts(), 0);
      EXPECT_EQ(tls_es.DocumentCount(), 0u);
      if (tls_es.bulk_requests() == 0 && tls_es.DocumentCount() == 0) ++refused;
    }
    (void)p.Terminate(milliseconds(30'000));
  }
  figures.Add("cases", static_cast<std::int64_t>(cases.size()))
      .Add("refused", refused)
      .Add("accepted_with_right_ca", accepted)
      .Print();
}

}  // namespace
}  // namespace cdc::testing
