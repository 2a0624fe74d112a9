// libFuzzer target for the decoder: arbitrary bytes through decode -> shape -> bulk encoding.
// Besides "no crash, no sanitizer report" it checks the promises the rest of the consumer
// relies on: errors are InvalidInput with a known slug; every document id is non-empty, at most
// 512 bytes and stable; every document and bulk line is valid JSON; a sensitive column's value
// never survives default redaction; decoding in a batch (BatchDecoder, beside other messages)
// gives exactly what decoding alone gives.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "core/change_event.h"
#include "core/document.h"
#include "decode/batch_decoder.h"
#include "decode/canal_json_decoder.h"
#include "sink/elasticsearch/bulk_encoder.h"
#include "transform/document_id.h"
#include "transform/document_shaper.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

simdjson::dom::parser& Validator() {
  static simdjson::dom::parser* parser = new simdjson::dom::parser();
  return *parser;
}

bool IsJsonObject(std::string_view text, simdjson::dom::element* root) {
  return Validator().parse(text.data(), text.size(), true).get(*root) == simdjson::SUCCESS &&
         root->is_object();
}

// With default redaction, every non-null sensitive column of data/old/pk reads "[REDACTED]".
void CheckRedacted(const cdc::ChangeEvent& event, const cdc::Redactor& redactor,
                   simdjson::dom::element root) {
  for (const char* part : {"data", "old", "pk"}) {
    simdjson::dom::object object;
    if (root[part].get(object) != simdjson::SUCCESS) continue;
    for (const auto field : object) {
      if (!redactor.IsSensitive(field.key)) continue;
      Check(field.value.is_null() || field.value.get_string().value_unsafe() == "[REDACTED]",
            "sensitive value not redacted");
    }
  }
  static_cast<void>(event);
}

void CheckDocument(const cdc::ChangeEvent& event, cdc::DocumentShaper& shaper, bool redacting) {
  cdc::Document doc;
  shaper.Shape(event, &doc);
  Check(!doc.id.empty(), "empty id");
  Check(doc.id.size() <= cdc::kMaxDocumentIdBytes, "id longer than 512 bytes");
  std::string again;
  cdc::BuildDocumentId(event, &again);
  Check(again == doc.id, "id not deterministic");
  simdjson::dom::element root;
  Check(IsJsonObject(doc.source_json, &root), "document is not a JSON object");
  if (redacting) CheckRedacted(event, shaper.redactor(), root);

  std::string body;
  cdc::AppendBulkCreate("cdc-events", doc, &body);
  const std::size_t first = body.find('\n');
  Check(first != std::string::npos && body.back() == '\n', "bulk item not newline-terminated");
  Check(IsJsonObject(std::string_view(body).substr(0, first), &root), "action line not JSON");
  Check(body.size() == first + 1 + doc.source_json.size() + 1, "bulk item has extra bytes");
}

// A message's outcome as text: the error, or its watermark and every document.
std::string Outcome(const cdc::Status& status, const cdc::DecodedMessage& message,
                    cdc::DocumentShaper& shaper) {
  if (!status.ok()) return status.ToString();
  std::string out = message.watermark_ts ? std::to_string(*message.watermark_ts) : "-";
  cdc::Document doc;
  for (const cdc::ChangeEvent& event : message.events) {
    shaper.Shape(event, &doc);
    out += "\n" + doc.id + " " + doc.source_json;
  }
  return out;
}

// The payload in lanes 0 and 2 of a batch, a valid message between them: each lane must give
// what the payload gave alone. (A payload above the lanes' preallocated size only fits lane 0.)
void CheckBatchAgrees(std::string_view payload, const std::string& alone,
                      cdc::DocumentShaper& shaper) {
  static cdc::BatchDecoder* batch = new cdc::BatchDecoder();
  static constexpr std::string_view kValid =
      R"({"database":"d","table":"t","pkNames":["id"],"isDdl":false,"type":"INSERT","es":1,)"
      R"("ts":2,"data":[{"id":"1"}],"_tidb":{"commitTs":449448587919360000}})";
  const std::string_view payloads[] = {payload, kValid, payload};
  const std::size_t taken = batch->Decode(payloads);
  Check(taken == (payload.size() > cdc::CanalJsonDecoder::kPreallocatedBytes ? 2 : 3),
        "batch took the wrong number of messages");
  Check(batch->status(1).ok(), "the valid message in the batch was rejected");
  Check(Outcome(batch->status(0), batch->message(0), shaper) == alone, "lane 0 differs");
  if (taken == 3) {
    Check(Outcome(batch->status(2), batch->message(2), shaper) == alone, "lane 2 differs");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static cdc::CanalJsonDecoder* decoder = new cdc::CanalJsonDecoder();
  static cdc::DocumentShaper* redacting = new cdc::DocumentShaper(cdc::ShaperOptions{});
  static cdc::DocumentShaper* plain =
      new cdc::DocumentShaper(cdc::ShaperOptions{.redact_patterns = {}});
  static cdc::DecodedMessage* message = new cdc::DecodedMessage();  // reused, as in production

  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const cdc::Status status = decoder->Decode(payload, message);
  CheckBatchAgrees(payload, Outcome(status, *message, *plain), *plain);
  if (!status.ok()) {
    Check(status.code() == cdc::ErrorCode::kInvalidInput, "error is not InvalidInput");
    const std::string_view slug = cdc::DecodeErrorSlug(status);
    Check(!slug.empty() && slug != "other", "error without a known slug");
    Check(message->events.empty() && !message->watermark_ts, "rejected message left events");
    return 0;
  }
  Check(message->events.empty() || !message->watermark_ts, "events and a watermark");
  for (const cdc::ChangeEvent& event : message->events) {
    CheckDocument(event, *redacting, true);
    CheckDocument(event, *plain, false);
  }
  return 0;
}
