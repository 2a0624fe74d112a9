#include "sink/elasticsearch/cluster_info.h"

#include <simdjson.h>

#include <charconv>

namespace cdc::es {

Result<ClusterInfo> ParseClusterInfo(std::string_view product_header, std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view number;
  if (parser.parse(body.data(), body.size()).get(root) ||
      root.at_pointer("/version/number").get_string().get(number)) {
    return Err(Status::Permanent("GET / did not answer like Elasticsearch or OpenSearch"));
  }
  ClusterInfo info;
  std::string_view distribution;
  if (root.at_pointer("/version/distribution").get_string().get(distribution) !=
      simdjson::SUCCESS) {
    distribution = {};
  }
  if (distribution == "opensearch") {
    info.distribution = Distribution::kOpenSearch;
  } else if (product_header == "Elasticsearch" || distribution.empty()) {
    // Before 7.14 Elasticsearch sent no header; its body has no distribution either.
    info.distribution = Distribution::kElasticsearch;
  } else {
    return Err(Status::Permanent("GET / names an unsupported distribution"));
  }
  const char* p = number.data();
  const char* end = number.data() + number.size();
  auto r = std::from_chars(p, end, info.major);
  if (r.ec != std::errc() || r.ptr == end || *r.ptr != '.') {
    return Err(Status::Permanent("GET / has an unreadable version.number"));
  }
  if (std::from_chars(r.ptr + 1, end, info.minor).ec != std::errc()) {
    return Err(Status::Permanent("GET / has an unreadable version.number"));
  }
  return info;
}

}  // namespace cdc::es
