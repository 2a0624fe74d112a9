// Training run of the profile-guided build (scripts/build-release): drives the service's own
// per-record path (CanalMessageDecoder::DecodeAll: decode → shape, then the sink's bulk lines)
// over the local mode's simulated TiCDC feed, so the compiler learns which branches and functions
// are hot. The feed is FeedGenerator's mix of appdb.users, appdb.orders and appdb.files (inserts,
// updates with the full `old`, deletes, binary and json columns, hostile usernames, DDL and
// watermarks), not decode_bench's messages: the benchmark measures a profile it was not trained
// on.
//
//   pgo_train [TRANSACTIONS]   (default 100000)
//
// Exits 1 if any simulated message fails to decode, or if no document came out: the feed is
// valid by construction, so either means the build is broken and its profile must not be used.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/document.h"
#include "local/feed_generator.h"
#include "pipeline/canal_message_decoder.h"
#include "sink/elasticsearch/bulk_body.h"
#include "source/kafka/message_decoder.h"
#include "transform/document_shaper.h"

namespace {

constexpr std::uint64_t kDefaultTransactions = 100000;
constexpr std::uint64_t kBulkDocs = 1000;  // the sink's default bulk_max_docs

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t transactions =
      argc > 1 ? std::strtoull(argv[1], nullptr, 10) : kDefaultTransactions;
  std::int64_t clock_ms = 1714565400000;  // fixed start, so every run trains on the same bytes
  cdc::FeedGenerator generator({.seed = 1, .now_ms = [&clock_ms] { return clock_ms += 3; }});
  cdc::CanalMessageDecoder decoder(cdc::ShaperOptions{});  // default redaction, as the service
  std::vector<cdc::kafka::DecodeSlot> slots;
  std::string body;
  std::uint64_t messages = 0;
  std::uint64_t documents = 0;

  auto process = [&](const std::vector<cdc::SimMessage>& batch) {
    slots.resize(batch.size());
    // CanalMessageDecoder clears each record before it fills it.
    for (std::size_t i = 0; i < batch.size(); ++i) slots[i].payload = batch[i].value;
    decoder.DecodeAll(slots);
    for (const cdc::kafka::DecodeSlot& slot : slots) {
      ++messages;
      if (!slot.status.ok()) {
        std::fprintf(stderr, "pgo_train: simulated message %llu rejected: %s\n",
                     static_cast<unsigned long long>(messages), slot.status.message().c_str());
        return false;
      }
      for (const cdc::Document& doc : slot.record.documents) {
        cdc::es::AppendCreate("cdc-events", doc, &body);
        if (++documents % kBulkDocs == 0) body.clear();  // a bulk request is sent
      }
    }
    return true;
  };

  for (std::uint64_t i = 0; i < transactions; ++i) {
    if (!process(generator.NextTransaction())) return 1;
    if (i % 64 == 63 && !process(generator.Watermarks())) return 1;
  }
  if (documents == 0) {
    std::fprintf(stderr, "pgo_train: no documents from %llu messages\n",
                 static_cast<unsigned long long>(messages));
    return 1;
  }
  std::printf("pgo_train: %llu messages, %llu documents\n",
              static_cast<unsigned long long>(messages),
              static_cast<unsigned long long>(documents));
  return 0;
}
