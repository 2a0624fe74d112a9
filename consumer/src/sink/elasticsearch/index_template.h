#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sink/elasticsearch/cluster_info.h"

namespace cdc::es {

// The version of the index template this build installs. Bump it whenever the body produced by
// IndexTemplateJson changes, so that running consumers upgrade the cluster's copy.
inline constexpr std::int64_t kIndexTemplateVersion = 1;

// The composable index template `<index>` for `<index>*` (BULK-CONTRACT.md §4.7): the row images
// `data`, `old` and `pk` are one flat-object field each (keyword leaves, so tables whose columns
// disagree on types never cause mapping conflicts or field explosions), the envelope fields are
// typed, and `dynamic: false` keeps any other top-level field in _source without mapping it.
std::string IndexTemplateJson(std::string_view index, const ClusterInfo& cluster);

// The `version` of template `name` in a GET _index_template/<name> body; nullopt when the
// template is absent, unversioned or the body unreadable (all of which mean "install ours").
std::optional<std::int64_t> InstalledTemplateVersion(std::string_view body, std::string_view name);

}  // namespace cdc::es
