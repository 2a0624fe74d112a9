// End-to-end throughput of the Kafka pipeline on the librdkafka mock cluster (ctest label
// 'bench', not in the default run). Pre-produces N realistic canal-json records (appdb.users
// inserts, CRLF-terminated as TiCDC v6.5 writes them, keyed, lz4-compressed) over 16 partitions
// and checks the mock kept them all (low watermark 0). Then measures, each in its own child
// process so that CPU time and peak RSS are the consumer's alone (the broker lives in another
// process):
//   bare      a bare rd_kafka_consumer_poll loop reading the whole topic: the broker's read limit
//   pipeline  the full Pipeline (decode, shape, offsets, back-pressure) into a sink that
//             acknowledges at once: the pipeline's own cost
//   es        the same Pipeline into the real Elasticsearch sink (bulk batching, gzip, HTTP,
//             per-item response parsing) sending to the FAKE Elasticsearch of the tests, which
//             runs in the broker's process (its CPU counts as broker_cpu there). The fake parses
//             and stores every document, so on a 2-core machine it competes with the consumer
//             for the cores: the rate is a floor, the consumer's CPU per event is exact
// Prints events/s, consumer CPU µs/event (getrusage), peak RSS, the ratio to the bare loop, and
// the broker process's CPU per event with the cores consumer and broker keep busy together (on a
// 2-core machine a rate needing 2 cores is the machine's limit, whatever the broker could do).
// All three processes use the consumer binary's allocator settings (app/allocator_tuning.h).
// CDC_BENCH_EVENTS sets N (default 200000); CDC_BENCH_RDKAFKA, CDC_BENCH_DEBUG,
// CDC_BENCH_DECODE_THREADS and CDC_BENCH_ES_GZIP: see below.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "app/allocator_tuning.h"
#include "app/logging.h"
#include "fakes/fake_elasticsearch.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline.h"
#include "sink/elasticsearch/elasticsearch_sink.h"
#include "sink/sink.h"
#include "support/mock_cluster.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPartitions = 16;
constexpr const char* kTopic = "tidb-cdc";

struct Figures {
  double events = 0;
  double seconds = 0;  // first record to last record
  double cpu_seconds = 0;
  double max_rss_mib = 0;
};

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

// CPU seconds per thread of this process, grouped by thread name (diagnostics on stderr).
std::string ThreadCpu() {
  std::map<std::string, double> by_name;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    std::getline(comm, name);
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    double ut = 0, st = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) ut = std::stod(field);
      if (i == 15) st = std::stod(field);
    }
    by_name[name] += (ut + st) / tick;
  }
  std::string out;
  for (const auto& [name, secs] : by_name) out += name + "=" + std::to_string(secs) + " ";
  return out;
}

double MaxRssMib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// A sink that acknowledges every record inside TrySubmit: the pipeline's own cost only. It
// notes when the first record arrived and wakes the benchmark when the last one did, so that
// the measuring thread does not spin.
class AckingSink final : public cdc::Sink {
 public:
  AckingSink(cdc::AckSink* acks, std::int64_t target) : acks_(acks), target_(target) {}
  cdc::Status Start() override { return cdc::Status::Ok(); }
  cdc::Status Healthcheck() override { return cdc::Status::Ok(); }
  bool TrySubmit(cdc::Batch& batch) override {
    if (count_ == 0 && !batch.empty()) {
      first_ = Clock::now();
      cpu_at_first_ = CpuSeconds();
    }
    for (const cdc::SinkRecord& r : batch) acks_->Ack(r, cdc::DeliveryOutcome::kDelivered);
    count_ += static_cast<std::int64_t>(batch.size());
    batch.clear();
    if (count_ >= target_ && !done_.exchange(true)) {
      last_ = Clock::now();
      done_.notify_all();
    }
    return true;
  }
  cdc::Status Stop(std::chrono::milliseconds) override { return cdc::Status::Ok(); }

  void WaitDone() { done_.wait(false); }
  double seconds() const { return std::chrono::duration<double>(last_ - first_).count(); }
  double cpu_at_first() const { return cpu_at_first_; }

 private:
  cdc::AckSink* acks_;
  const std::int64_t target_;
  std::int64_t count_ = 0;  // poll thread only, published by done_
  Clock::time_point first_{};
  Clock::time_point last_{};
  double cpu_at_first_ = 0;
  std::atomic<bool> done_{false};
};

// Between the Elasticsearch sink and the pipeline's AckSink: counts finished documents, notes
// when the first one finished and wakes the benchmark at the last. Sink threads call Ack
// concurrently, hence the atomics.
class CountingAcks final : public cdc::AckSink {
 public:
  CountingAcks(cdc::AckSink* inner, std::int64_t target) : inner_(inner), target_(target) {}
  void Ack(const cdc::SinkRecord& record, cdc::DeliveryOutcome outcome) override {
    if (outcome != cdc::DeliveryOutcome::kDelivered) failed_.fetch_add(1);
    std::int64_t zero = 0;
    const auto now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
            .count();
    if (first_ns_.compare_exchange_strong(zero, now_ns)) cpu_at_first_.store(CpuSeconds());
    inner_->Ack(record, outcome);
    if (count_.fetch_add(1) + 1 == target_) {
      last_ns_.store(now_ns);
      done_.store(true);
      done_.notify_all();
    }
  }
  void WaitDone() { done_.wait(false); }
  double seconds() const { return static_cast<double>(last_ns_ - first_ns_) / 1e9; }
  double cpu_at_first() const { return cpu_at_first_.load(); }
  std::int64_t failed() const { return failed_.load(); }

 private:
  cdc::AckSink* inner_;
  const std::int64_t target_;
  std::atomic<std::int64_t> count_{0};
  std::atomic<std::int64_t> failed_{0};
  std::atomic<std::int64_t> first_ns_{0};
  std::atomic<std::int64_t> last_ns_{0};
  std::atomic<double> cpu_at_first_{0};
  std::atomic<bool> done_{false};
};

// CDC_BENCH_RDKAFKA="key=value,key=value": librdkafka properties applied to both loops.
std::vector<std::pair<std::string, std::string>> ExtraProperties() {
  std::vector<std::pair<std::string, std::string>> out;
  const char* env = std::getenv("CDC_BENCH_RDKAFKA");
  std::string all = env != nullptr ? env : "";
  for (std::size_t start = 0; start < all.size();) {
    std::size_t end = all.find(',', start);
    if (end == std::string::npos) end = all.size();
    const std::string item = all.substr(start, end - start);
    if (const std::size_t eq = item.find('='); eq != std::string::npos)
      out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    start = end + 1;
  }
  return out;
}

// CDC_BENCH_DECODE_THREADS: the pipeline's decode threads, poll thread included; by default
// what the consumer picks (one per core, at most 4).
std::size_t DecodeThreads() {
  if (const char* env = std::getenv("CDC_BENCH_DECODE_THREADS")) {
    return static_cast<std::size_t>(std::max(1, std::atoi(env)));
  }
  return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
}

Figures RunBare(const std::string& bootstraps, std::int64_t n) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[256];
  for (const auto& [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"bootstrap.servers", bootstraps},
                                                        {"group.id", "bench-bare"},
                                                        {"auto.offset.reset", "earliest"},
                                                        {"enable.auto.offset.store", "false"},
                                                        {"queued.max.messages.kbytes", "16384"}}) {
    rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err));
  }
  for (const auto& [k, v] : ExtraProperties()) {
    rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err));
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, kTopic, RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  std::int64_t seen = 0;
  std::size_t bytes = 0;
  Clock::time_point first{};
  double cpu0 = 0;
  while (seen < n) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk, 100);
    if (msg == nullptr) continue;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (seen++ == 0) {
        first = Clock::now();
        cpu0 = CpuSeconds();
      }
      bytes += msg->len;
    }
    rd_kafka_message_destroy(msg);
  }
  Figures f{.events = static_cast<double>(n),
            .seconds = std::chrono::duration<double>(Clock::now() - first).count(),
            .cpu_seconds = CpuSeconds() - cpu0,
            .max_rss_mib = MaxRssMib()};
  std::fprintf(stderr, "threads %s\n", ThreadCpu().c_str());
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  if (bytes == 0) f.events = 0;
  return f;
}

cdc::PipelineOptions BenchPipelineOptions(const std::string& bootstraps) {
  cdc::PipelineOptions options;
  options.kafka.brokers = bootstraps;
  options.kafka.topic = kTopic;
  options.kafka.group = "bench-pipeline";
  options.kafka.dlq_topic = std::string(kTopic) + "-dlq";
  options.kafka.rdkafka_overrides = ExtraProperties();
  options.kafka.decode_threads = DecodeThreads();
  if (std::getenv("CDC_BENCH_DEBUG") != nullptr) (void)cdc::SetLogLevel("debug");
  return options;
}

// Starts `pipeline`, waits until `progress` (an AckingSink or CountingAcks, made by the sink
// factory while the pipeline starts) has seen the n-th document, and stops the pipeline.
template <typename ProgressPtr>
Figures MeasureRun(cdc::Pipeline& pipeline, const ProgressPtr& progress, std::int64_t n) {
  if (cdc::Status st = pipeline.Start(); !st.ok()) {
    std::fprintf(stderr, "pipeline start: %s\n", st.ToString().c_str());
    return {};
  }
  progress->WaitDone();
  Figures f{.events = static_cast<double>(n),
            .seconds = progress->seconds(),
            .cpu_seconds = CpuSeconds() - progress->cpu_at_first(),
            .max_rss_mib = MaxRssMib()};
  std::fprintf(stderr, "threads %s\n", ThreadCpu().c_str());
  pipeline.RequestStop();
  (void)pipeline.Wait();
  return f;
}

Figures RunPipeline(const std::string& bootstraps, std::int64_t n) {
  cdc::Metrics metrics;
  cdc::PipelineOptions options = BenchPipelineOptions(bootstraps);
  AckingSink* sink = nullptr;
  cdc::Pipeline pipeline(
      options,
      [&sink, n](cdc::AckSink* acks,
                 cdc::DeadLetterWriter*) -> cdc::Result<std::unique_ptr<cdc::Sink>> {
        auto made = std::make_unique<AckingSink>(acks, n);
        sink = made.get();
        return std::unique_ptr<cdc::Sink>(std::move(made));
      },
      &metrics);
  return MeasureRun(pipeline, sink, n);
}

// The pipeline into the Elasticsearch sink with its defaults (gzip level 1, 1000 documents or
// 5 MiB per bulk, 4 in flight), from a group of its own so that it reads the topic from the
// start. Timed from the first acknowledged document to the last.
Figures RunPipelineIntoElasticsearch(const std::string& bootstraps, const std::string& es_url,
                                     std::int64_t n) {
  cdc::Metrics metrics;
  cdc::PipelineOptions options = BenchPipelineOptions(bootstraps);
  options.kafka.group = "bench-pipeline-es";
  cdc::ElasticsearchSinkOptions es;
  es.urls = {es_url};
  es.index = "cdc-events";
  // CDC_BENCH_ES_GZIP=0: plain bodies, to see what compressing them costs.
  if (const char* gzip = std::getenv("CDC_BENCH_ES_GZIP")) es.gzip = std::string_view(gzip) != "0";
  std::unique_ptr<CountingAcks> counting;
  cdc::Pipeline pipeline(
      options,
      [&](cdc::AckSink* acks,
          cdc::DeadLetterWriter* dlq) -> cdc::Result<std::unique_ptr<cdc::Sink>> {
        counting = std::make_unique<CountingAcks>(acks, n);
        return std::unique_ptr<cdc::Sink>(
            std::make_unique<cdc::ElasticsearchSink>(es, counting.get(), dlq, &metrics));
      },
      &metrics);
  Figures f = MeasureRun(pipeline, counting, n);
  if (counting && counting->failed() != 0) {
    std::fprintf(stderr, "%lld documents not delivered\n",
                 static_cast<long long>(counting->failed()));
    f.events = 0;
  }
  return f;
}

// Runs `fn` in a child process and returns its figures through a pipe.
template <typename Fn>
Figures InChild(Fn fn) {
  std::fflush(stdout);  // or the child prints the parent's buffered lines again
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Figures f = fn();
    (void)!write(fds[1], &f, sizeof(f));
    _exit(0);
  }
  close(fds[1]);
  Figures f{};
  (void)!read(fds[0], &f, sizeof(f));
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return f;
}

// CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat.
double ProcessCpuSeconds(pid_t pid) {
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (f == nullptr) return 0;
  char buf[1024];
  const std::size_t len = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[len] = '\0';
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const char* p = std::strrchr(buf, ')');
  unsigned long utime = 0;
  unsigned long stime = 0;
  if (p == nullptr || std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                                  &utime, &stime) != 2) {
    return 0;
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// `broker_cpu` is what the broker process spent over the whole run (group join included), so
// that consumer + broker CPU per event shows how much of the machine each rate needs.
void Print(const char* name, const Figures& f, double bare_rate, double broker_cpu) {
  const double rate = f.seconds > 0 ? f.events / f.seconds : 0;
  const double per_event = f.events > 0 ? 1e6 / f.events : 0;
  std::printf("%-9s events=%.0f  %.0f events/s  cpu=%.2f us/event  peak_rss=%.1f MiB", name,
              f.events, rate, f.cpu_seconds * per_event, f.max_rss_mib);
  if (bare_rate > 0) std::printf("  ratio_to_bare=%.0f%%", 100.0 * rate / bare_rate);
  const double total = (f.cpu_seconds + broker_cpu) * per_event;
  std::printf("  broker_cpu=%.2f us/event  cores_busy=%.2f\n", broker_cpu * per_event,
              total * rate / 1e6);
}

}  // namespace

int main() {
  // Every process here (broker, bare loop, pipeline) runs with the allocator settings the
  // cdc-consumer binary uses, so that the bare loop's read limit is measured on equal terms.
  cdc::TuneAllocatorForStreaming();
  const char* env = std::getenv("CDC_BENCH_EVENTS");
  const std::int64_t n = env != nullptr ? std::atoll(env) : 200000;
  // The broker process: mock cluster + producer. It reports its bootstrap address and then
  // lives until the benchmark closes the pipe.
  int ready[2];
  int done[2];
  if (pipe(ready) != 0 || pipe(done) != 0) return 1;
  std::fflush(stdout);
  const pid_t broker = fork();
  if (broker == 0) {
    close(ready[0]);
    close(done[1]);
    cdc::testing::MockCluster cluster(1);
    cluster.CreateTopic(kTopic, kPartitions);
    cluster.CreateTopic(std::string(kTopic) + "-dlq", 1);
    {
      cdc::testing::TestProducer producer(cluster.bootstraps(), "lz4");
      const std::int64_t now = cdc::testing::NowMs();
      for (std::int64_t id = 0; id < n; ++id) {
        const std::string key = "appdb.users:" + std::to_string(id);
        producer.Produce(kTopic, -1, key, cdc::testing::UserInsertJson(id, now));
      }
      if (!producer.Flush(std::chrono::milliseconds(120000))) _exit(2);
    }
    std::int64_t total = 0;
    std::int64_t dropped = 0;
    for (int p = 0; p < kPartitions; ++p) {
      auto marks = cdc::testing::QueryWatermarks(cluster.bootstraps(), kTopic, p);
      if (!marks) _exit(3);
      total += marks->high;
      dropped += marks->low;
    }
    std::printf(
        "produced  events=%lld over %d partitions, low watermarks sum=%lld (0 = none dropped)\n",
        static_cast<long long>(total), kPartitions, static_cast<long long>(dropped));
    std::fflush(stdout);
    if (dropped != 0 || total != n) _exit(4);
    cdc::testing::FakeElasticsearch es;
    if (!es.Start().ok()) _exit(5);
    const std::string boot = cluster.bootstraps() + "\n" + es.url() + "\n";
    (void)!write(ready[1], boot.data(), boot.size());
    char c;
    (void)!read(done[0], &c, 1);
    _exit(0);
  }
  close(ready[1]);
  close(done[0]);
  std::string bootstraps;
  std::string es_url;
  char c;
  while (read(ready[0], &c, 1) == 1 && c != '\n') bootstraps += c;
  while (read(ready[0], &c, 1) == 1 && c != '\n') es_url += c;
  if (bootstraps.empty() || es_url.empty()) {
    std::fprintf(stderr, "broker process failed\n");
    return 1;
  }
  std::printf("record    %zu bytes (appdb.users insert, canal-json, CRLF), lz4, keyed\n",
              cdc::testing::UserInsertJson(1, 0).size());
  double broker_cpu = ProcessCpuSeconds(broker);
  const Figures bare = InChild([&] { return RunBare(bootstraps, n); });
  const double bare_broker_cpu = ProcessCpuSeconds(broker) - broker_cpu;
  const double bare_rate = bare.seconds > 0 ? bare.events / bare.seconds : 0;
  Print("bare", bare, 0, bare_broker_cpu);
  std::printf("pipeline  decode_threads=%zu (poll thread included)\n", DecodeThreads());
  broker_cpu = ProcessCpuSeconds(broker);
  const Figures full = InChild([&] { return RunPipeline(bootstraps, n); });
  Print("pipeline", full, bare_rate, ProcessCpuSeconds(broker) - broker_cpu);
  broker_cpu = ProcessCpuSeconds(broker);
  const Figures es = InChild([&] { return RunPipelineIntoElasticsearch(bootstraps, es_url, n); });
  Print("es", es, bare_rate, ProcessCpuSeconds(broker) - broker_cpu);
  close(done[1]);
  waitpid(broker, nullptr, 0);
  const bool ok = full.events == static_cast<double>(n) && bare.events == static_cast<double>(n) &&
                  es.events == static_cast<double>(n);
  return ok ? 0 : 1;
}
