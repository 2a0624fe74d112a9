#include "sink/elasticsearch/index_template.h"

#include <simdjson.h>

namespace cdc::es {

std::string IndexTemplateJson(std::string_view index, const ClusterInfo& cluster) {
  // Elasticsearch rejects a keyword term over 32766 bytes ("immense term"); ignore_above in
  // characters (x4 bytes of UTF-8) keeps a huge TEXT/BLOB column value searchable-as-absent
  // instead of failing the document. OpenSearch's flat_object has no such parameter.
  const std::string flat = cluster.distribution == Distribution::kOpenSearch
                               ? R"({"type":"flat_object"})"
                               : R"({"type":"flattened","ignore_above":8191})";
  std::string body;
  body.reserve(1024);
  body += R"({"index_patterns":[")";
  body += index;
  body += R"(*"],"priority":200,"version":)";
  body += std::to_string(kIndexTemplateVersion);
  body += R"(,"_meta":{"managed_by":"cdc-consumer"},"template":{"mappings":{"dynamic":false,)";
  body += R"("properties":{)";
  body += R"("@timestamp":{"type":"date"},)";
  body += R"("database":{"type":"keyword"},"table":{"type":"keyword"},)";
  body += R"("type":{"type":"keyword"},"ddl_type":{"type":"keyword"},)";
  body += R"("commit_ts":{"type":"unsigned_long"},"ts_ms":{"type":"long"},)";
  body += R"("sql":{"type":"text"},"only_handle_key":{"type":"boolean"},)";
  body += R"("claim_check_location":{"type":"keyword","ignore_above":1024},)";
  body += R"("data":)" + flat + R"(,"old":)" + flat + R"(,"pk":)" + flat;
  body += "}}}}";
  return body;
}

std::optional<std::int64_t> InstalledTemplateVersion(std::string_view body, std::string_view name) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array templates;
  if (parser.parse(body.data(), body.size()).get(root) ||
      root["index_templates"].get_array().get(templates)) {
    return std::nullopt;
  }
  for (const simdjson::dom::element entry : templates) {
    std::string_view entry_name;
    std::int64_t version = 0;
    if (entry["name"].get_string().get(entry_name) || entry_name != name) continue;
    if (entry.at_pointer("/index_template/version").get_int64().get(version)) return std::nullopt;
    return version;
  }
  return std::nullopt;
}

}  // namespace cdc::es
