#include "sink/elasticsearch/bulk_body.h"

#if __has_include("sink/elasticsearch/bulk_encoder.h")
#include "sink/elasticsearch/bulk_encoder.h"
#define CDC_HAVE_BULK_ENCODER 1
#endif

namespace cdc::es {

#ifdef CDC_HAVE_BULK_ENCODER
void AppendCreate(std::string_view index, const Document& doc, std::string* out) {
  AppendBulkCreate(index, doc, out);
}
#else
namespace {

// Stand-in until the shared encoder lands: JSON string escaping of index and id.
void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 0xF]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

}  // namespace

void AppendCreate(std::string_view index, const Document& doc, std::string* out) {
  out->append(R"({"create":{"_index":)");
  AppendJsonString(index, out);
  out->append(R"(,"_id":)");
  AppendJsonString(doc.id, out);
  out->append("}}\n");
  out->append(doc.source_json);
  out->push_back('\n');
}
#endif

}  // namespace cdc::es
