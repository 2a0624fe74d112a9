#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace cdc::es {

enum class Distribution : std::uint8_t { kElasticsearch, kOpenSearch };

// What `GET /` told us about the cluster: which product, which version. Plain value type.
struct ClusterInfo {
  Distribution distribution = Distribution::kElasticsearch;
  int major = 0;
  int minor = 0;

  // `include_source_on_error` exists from Elasticsearch 8.18; older versions and OpenSearch
  // reject unknown query parameters with a whole-request 400, so it is only sent where known.
  bool SupportsIncludeSourceOnError() const {
    return distribution == Distribution::kElasticsearch &&
           (major > 8 || (major == 8 && minor >= 18));
  }
  // `flattened` (Elasticsearch) or `flat_object` (OpenSearch 2.7+).
  std::string_view FlatObjectType() const {
    return distribution == Distribution::kOpenSearch ? "flat_object" : "flattened";
  }
};

// Elasticsearch since 7.14 sends `X-Elastic-Product: Elasticsearch` on every response;
// OpenSearch does not and says `version.distribution: "opensearch"` in the body
// (BULK-CONTRACT.md §4.5, §4.8). A body that is neither is an error (wrong URL, a proxy page).
Result<ClusterInfo> ParseClusterInfo(std::string_view product_header, std::string_view body);

}  // namespace cdc::es
