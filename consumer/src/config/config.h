#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "config/secret.h"
#include "config/value_parsers.h"

namespace cdc {

// Where a setting's value came from: shown next to errors and in the config dump, so that an
// operator can tell which of the file, the environment or a flag to fix.
struct ValueSource {
  enum class Kind { kDefault, kFile, kEnv, kFlag };
  Kind kind = Kind::kDefault;
  std::string where;  // "default", "config.yaml:12", "env CDC_BROKERS", "flag --brokers"

  static ValueSource Default() { return {Kind::kDefault, "default"}; }
};

// The consumer's effective configuration, fully parsed and validated. Field comments are
// brief: the help text of each key lives in the settings table (config/settings.cc), which is the
// one place that declares keys, defaults and docs. Plain value type.
struct Config {
  // Kafka source.
  std::string brokers;
  std::string topic;
  std::string group;
  std::string dlq_topic;
  std::uint64_t max_buffered_bytes = 0;
  std::int64_t batch_max_records = 0;
  std::int64_t decode_threads = 0;  // 0: one per core, at most 4
  // librdkafka properties given with -X key=value (file: `rdkafka:` map; env: CDC_X_*), in the
  // order first given, each with its final value.
  std::vector<std::pair<std::string, std::string>> rdkafka_overrides;

  // Elasticsearch sink; `es_urls` empty selects the embedded SQLite store instead.
  std::vector<std::string> es_urls;
  std::string index;
  std::string es_user;
  Secret es_password;
  Secret es_api_key;
  std::string es_password_file;
  std::string es_api_key_file;
  std::string es_ca_file;
  bool es_gzip = true;
  std::uint64_t es_bulk_max_bytes = 0;
  std::int64_t es_bulk_max_docs = 0;
  std::chrono::milliseconds es_bulk_linger{0};
  std::int64_t es_max_in_flight = 0;
  std::chrono::milliseconds es_request_timeout{0};
  std::chrono::milliseconds es_connect_timeout{0};
  std::chrono::milliseconds es_retry_initial{0};
  std::chrono::milliseconds es_retry_max{0};
  bool es_install_template = true;

  // Embedded SQLite store.
  std::string store_path;
  std::int64_t store_max_rows = 0;
  std::chrono::milliseconds store_max_age{0};

  // Service.
  std::string config_file;
  HostPort listen;
  std::vector<std::string> redact_columns;
  std::chrono::milliseconds shutdown_timeout{0};
  std::string log_level;
  std::int64_t max_table_series = 0;

  // Where each key's value came from (key → source); filled by the loader.
  std::map<std::string, ValueSource> sources;
};

}  // namespace cdc
