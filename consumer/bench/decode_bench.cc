// Decode + shape + bulk-line encoding throughput on one core (issue 2: at least 1,000,000
// appdb.users events/s). Run from the Release build the image and local mode use (profile-guided;
// add --no-pgo to compare without the profile):
//   scripts/build-release decode_bench
//   consumer/build/release/bench/decode_bench --benchmark_repetitions=5
// items_per_second is events/s, per_event the time per event (an iteration of the pipeline
// benchmarks is a batch of messages); bytes_per_second counts the canal-json input. On a VM whose
// cores are shared, BM_UsersInsertWholeCore's whole_core_ns is the figure for a whole core.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/change_event.h"
#include "core/document.h"
#include "core_probe.h"
#include "decode/batch_decoder.h"
#include "decode/canal_json_decoder.h"
#include "sink/elasticsearch/bulk_encoder.h"
#include "transform/document_shaper.h"

namespace {

constexpr std::size_t kMessages = 1024;  // distinct inputs, so branch predictors see variety
constexpr std::uint64_t kBaseCommitTs = 449448587919360000;

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// An appdb.users row change exactly as TiCDC v6.5 (enable-tidb-extension=true) writes it: easyjson
// key order, old before data, `_tidb.commitTs`, and the v6.5.0-v6.5.11 "\r\n" terminator.
std::string UsersMessage(std::size_t i, const std::string& type) {
  const std::string id = std::to_string(100000 + i);
  const std::string row =
      "{\"id\":" + Quoted(id) + ",\"username\":" + Quoted("user_" + id) +
      ",\"password\":\"$2b$12$wE1xq3yqkz0m1S6r3FqZ8uY3k0m2Y1m9m8i3G2F4b5j6k7l8" + id.substr(0, 4) +
      "\",\"email\":" + Quoted("user_" + id + "@example.com") +
      ",\"created_at\":\"2024-05-01 12:" + std::to_string(10 + i % 50) + ":00\"}";
  const std::uint64_t commit_ts = kBaseCommitTs + (i << 18);
  const std::string old = type == "UPDATE" ? "[" + row + "]" : "null";
  return "{\"id\":0,\"database\":\"appdb\",\"table\":\"users\",\"pkNames\":[\"id\"],\"isDdl\":"
         "false,"
         "\"type\":\"" +
         type + "\",\"es\":" + std::to_string(commit_ts >> 18) +
         ",\"ts\":" + std::to_string((commit_ts >> 18) + 812) +
         ",\"sql\":\"\",\"sqlType\":{\"id\":-5,\"username\":12,\"password\":12,\"email\":12,"
         "\"created_at\":93},\"mysqlType\":{\"id\":\"bigint\",\"username\":\"varchar\","
         "\"password\":\"varchar\",\"email\":\"varchar\",\"created_at\":\"timestamp\"},\"old\":" +
         old + ",\"data\":[" + row + "],\"_tidb\":{\"commitTs\":" + std::to_string(commit_ts) +
         "}}\r\n";
}

// A 50-column row: a bigint pk, varchars, decimals, datetimes, a few NULLs, a json column and
// two varbinary columns (ISO-8859-1 text, the costly path).
std::string WideMessage(std::size_t i) {
  std::string sql_type = "{";
  std::string mysql_type = "{";
  std::string row = "{";
  for (int c = 0; c < 50; ++c) {
    const std::string name = c == 0 ? "id" : "col_" + std::to_string(c);
    std::string type = "varchar";
    int code = 12;
    std::string value = Quoted("value " + std::to_string(i * 50 + static_cast<std::size_t>(c)));
    if (c == 0) {
      type = "bigint", code = -5, value = Quoted(std::to_string(i));
    } else if (c % 10 == 1) {
      type = "decimal", code = 3, value = "\"12345.6789\"";
    } else if (c % 10 == 2) {
      type = "datetime", code = 93, value = "\"2024-05-01 12:34:56.123456\"";
    } else if (c % 10 == 3) {
      value = "null";
    } else if (c == 24) {
      type = "json", value = R"("{\"k\": [1, \"x\"], \"n\": null}")";
    } else if (c == 25 || c == 35) {
      type = "varbinary", code = 2004, value = R"("\u0005\u0007\n\u000f$2+cx\u003c\u0026ÿþ-7F")";
    }
    const std::string sep = c == 0 ? "" : ",";
    sql_type += sep + Quoted(name) + ":" + std::to_string(code);
    mysql_type += sep + Quoted(name) + ":" + Quoted(type);
    row += sep + Quoted(name) + ":" + value;
  }
  const std::uint64_t commit_ts = kBaseCommitTs + (i << 18);
  return "{\"id\":0,\"database\":\"appdb\",\"table\":\"wide\",\"pkNames\":[\"id\"],\"isDdl\":false,"
         "\"type\":\"INSERT\",\"es\":" +
         std::to_string(commit_ts >> 18) + ",\"ts\":" + std::to_string((commit_ts >> 18) + 9) +
         ",\"sql\":\"\",\"sqlType\":" + sql_type + "},\"mysqlType\":" + mysql_type +
         "},\"old\":null,\"data\":[" + row +
         "}],\"_tidb\":{\"commitTs\":" + std::to_string(commit_ts) + "}}\r\n";
}

std::vector<std::string> UsersMessages(bool mixed) {
  static const std::string kTypes[] = {"INSERT", "UPDATE", "DELETE"};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kMessages; ++i)
    out.push_back(UsersMessage(i, kTypes[mixed ? i % 3 : 0]));
  return out;
}

std::vector<std::string> WideMessages() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kMessages; ++i) out.push_back(WideMessage(i));
  return out;
}

std::vector<std::string> ExampleMessages() {
  std::ifstream in(std::string(CDC_SHARED_DIR) + "/ticdc-canal-json/examples.ndjson");
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// items_per_second is events/s; per_event is the time per event (an iteration of the batched
// loop is BatchDecoder::kLanes messages, so the time column is not).
void ReportEvents(benchmark::State& state, std::int64_t events, std::int64_t bytes) {
  state.SetItemsProcessed(events);
  state.SetBytesProcessed(bytes);
  state.counters["per_event"] = benchmark::Counter(
      static_cast<double>(events), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// The consumer's hot path as its decode threads run it: messages taken BatchDecoder::kLanes at
// a time (CanalMessageDecoder::DecodeAll), decoded, then each event shaped into a reused
// document and its bulk lines appended to a reused body (the sink's part).
class BatchedPipeline {
 public:
  explicit BatchedPipeline(const std::vector<std::string>* messages) : messages_(messages) {
    body_.reserve(std::size_t{2} << 20);
  }

  // Runs one batch of BatchDecoder::kLanes messages; false (with `error` set) if any failed.
  bool RunBatch(std::string* error) {
    for (std::string_view& payload : payloads_) {
      payload = (*messages_)[next_];
      next_ = next_ + 1 == messages_->size() ? 0 : next_ + 1;
      bytes_ += static_cast<std::int64_t>(payload.size());
    }
    // The benchmark's messages are all small, so one call takes them all.
    if (batch_.Decode(payloads_) != payloads_.size()) {
      *error = "a batch was cut short";
      return false;
    }
    for (std::size_t lane = 0; lane < payloads_.size(); ++lane) {
      if (const cdc::Status& status = batch_.status(lane); !status.ok()) {
        *error = status.message();
        return false;
      }
      for (const cdc::ChangeEvent& event : batch_.message(lane).events) {
        shaper_.Shape(event, &doc_);
        cdc::AppendBulkCreate("cdc-events", doc_, &body_);
        ++events_;
      }
    }
    if (body_.size() > (std::size_t{1} << 20)) body_.clear();  // a bulk request is sent
    return true;
  }

  std::int64_t events() const { return events_; }
  std::int64_t bytes() const { return bytes_; }

 private:
  const std::vector<std::string>* messages_;
  cdc::BatchDecoder batch_;
  cdc::DocumentShaper shaper_{cdc::ShaperOptions{}};
  cdc::Document doc_;
  std::string body_;
  std::array<std::string_view, cdc::BatchDecoder::kLanes> payloads_;
  std::size_t next_ = 0;
  std::int64_t events_ = 0;
  std::int64_t bytes_ = 0;
};

void RunPipeline(benchmark::State& state, const std::vector<std::string>& messages) {
  BatchedPipeline pipeline(&messages);
  std::string error;
  for (auto _ : state) {
    if (!pipeline.RunBatch(&error)) {
      state.SkipWithError(error.c_str());
      break;
    }
  }
  ReportEvents(state, pipeline.events(), pipeline.bytes());
}

// The same, one message at a time: each decoded, then shaped, before the next. Slower, because
// decoding and shaping evict each other's code from the instruction cache (BatchDecoder).
void RunOneByOne(benchmark::State& state, const std::vector<std::string>& messages) {
  cdc::CanalJsonDecoder decoder;
  cdc::DocumentShaper shaper(cdc::ShaperOptions{});
  cdc::DecodedMessage message;
  cdc::Document doc;
  std::string body;
  body.reserve(std::size_t{2} << 20);
  std::size_t next = 0;
  std::int64_t events = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& payload = messages[next];
    next = next + 1 == messages.size() ? 0 : next + 1;
    if (const cdc::Status status = decoder.Decode(payload, &message); !status.ok()) {
      state.SkipWithError(status.message().c_str());
      break;
    }
    for (const cdc::ChangeEvent& event : message.events) {
      shaper.Shape(event, &doc);
      cdc::AppendBulkCreate("cdc-events", doc, &body);
      ++events;
    }
    bytes += static_cast<std::int64_t>(payload.size());
    if (body.size() > (std::size_t{1} << 20)) body.clear();
  }
  ReportEvents(state, events, bytes);
}

// BM_UsersInsert's loop in slices of 256 events, each between two probes of how much of its core
// the thread is getting (core_probe.h). The vCPUs of the VM this project is measured on share
// physical cores with other tenants' work, and the path runs 1.4-1.7x slower while that work
// competes (docs/decoder.md "Session 12"); the probe, which touches no memory, tells those
// moments apart. Counters:
//   per_event         over all slices (the time column is per slice)
//   whole_core_ns     the median time per event over the slices whose probes, before and after,
//                     both reached 97 % of the run's best probe: the core was the thread's alone
//   whole_core_share  the fraction of slices that did
//   probe_peak        the run's best probe in integer adds per ns; a whole core gives its ALU
//                     count times its clock in GHz. Well below that, no slice had a whole core.
void BM_UsersInsertWholeCore(benchmark::State& state) {
  // Short slices, so that few of them straddle a change in what shares the core.
  constexpr int kSliceBatches = 32;            // 256 events, 0.2-0.4 ms
  constexpr std::int64_t kProbeRounds = 5000;  // 1 M adds, 70 us on a whole core
  constexpr double kWholeCore = 0.97;
  struct Slice {
    double probe;  // adds per ns: the lower of the probes before and after
    double ns_per_event;
  };
  const std::vector<std::string> messages = UsersMessages(false);
  BatchedPipeline pipeline(&messages);
  std::vector<Slice> slices;
  std::string error;
  for (auto _ : state) {
    const double before = cdc_bench::IntegerAddsPerNs(kProbeRounds);
    const std::int64_t events_before = pipeline.events();
    const auto start = std::chrono::steady_clock::now();
    bool ok = true;
    for (int i = 0; i < kSliceBatches && ok; ++i) ok = pipeline.RunBatch(&error);
    const double ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    const double after = cdc_bench::IntegerAddsPerNs(kProbeRounds);
    if (!ok) {
      state.SkipWithError(error.c_str());
      break;
    }
    state.SetIterationTime(ns / 1e9);
    slices.push_back(
        {std::min(before, after), ns / static_cast<double>(pipeline.events() - events_before)});
  }
  ReportEvents(state, pipeline.events(), pipeline.bytes());
  double peak = 0;
  for (const Slice& slice : slices) peak = std::max(peak, slice.probe);
  std::vector<double> whole_core;
  for (const Slice& slice : slices) {
    if (slice.probe >= kWholeCore * peak) whole_core.push_back(slice.ns_per_event);
  }
  std::sort(whole_core.begin(), whole_core.end());
  state.counters["whole_core_ns"] = whole_core.empty() ? 0.0 : whole_core[whole_core.size() / 2];
  state.counters["whole_core_share"] =
      slices.empty() ? 0.0
                     : static_cast<double>(whole_core.size()) / static_cast<double>(slices.size());
  state.counters["probe_peak"] = peak;
}

void BM_UsersInsert(benchmark::State& state) { RunPipeline(state, UsersMessages(false)); }
void BM_UsersInsertOneByOne(benchmark::State& state) { RunOneByOne(state, UsersMessages(false)); }
void BM_UsersMixed(benchmark::State& state) { RunPipeline(state, UsersMessages(true)); }
void BM_Wide50(benchmark::State& state) { RunPipeline(state, WideMessages()); }
void BM_Examples(benchmark::State& state) { RunPipeline(state, ExampleMessages()); }

// Stage breakdown for the users insert path, to see where the time goes.
void BM_UsersDecodeOnly(benchmark::State& state) {
  const std::vector<std::string> messages = UsersMessages(false);
  cdc::CanalJsonDecoder decoder;
  cdc::DecodedMessage message;
  std::size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(decoder.Decode(messages[next], &message));
    next = (next + 1) % messages.size();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_UsersShapeOnly(benchmark::State& state) {
  // Events are views into their decoder's parse, so each message kept decoded needs its own
  // decoder: fewer distinct messages here than in the other runs.
  constexpr std::size_t kKept = 32;
  const std::vector<std::string> messages = UsersMessages(false);
  std::vector<cdc::CanalJsonDecoder> decoders(kKept);
  std::vector<cdc::DecodedMessage> decoded(kKept);
  for (std::size_t i = 0; i < kKept; ++i) {
    if (!decoders[i].Decode(messages[i], &decoded[i]).ok()) state.SkipWithError("decode failed");
  }
  cdc::DocumentShaper shaper(cdc::ShaperOptions{});
  cdc::Document doc;
  std::size_t next = 0;
  for (auto _ : state) {
    shaper.Shape(decoded[next].events[0], &doc);
    benchmark::DoNotOptimize(doc.source_json.data());
    next = (next + 1) % kKept;
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_UsersInsert);
BENCHMARK(BM_UsersInsertOneByOne);
// 2 s: in a busy minute only a few percent of the slices have the whole core.
BENCHMARK(BM_UsersInsertWholeCore)->UseManualTime()->MinTime(2.0);
BENCHMARK(BM_UsersMixed);
BENCHMARK(BM_Wide50);
BENCHMARK(BM_Examples);
BENCHMARK(BM_UsersDecodeOnly);
BENCHMARK(BM_UsersShapeOnly);

BENCHMARK_MAIN();
