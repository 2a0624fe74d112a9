#include "config/settings.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/default_redact_columns.h"

namespace cdc {
namespace {

using std::chrono::milliseconds;
using Check = Status (*)(std::string_view);

constexpr std::int64_t kNoLimit = std::numeric_limits<std::int64_t>::max();

// Builds the table one group at a time; each Add* helper binds a key to one Config field with a
// typed parser, so a key whose type does not match its field does not compile.
class TableBuilder {
 public:
  void Group(std::string name) { group_ = std::move(name); }

  void Text(std::string key, std::string Config::*field, std::string def, std::string help,
            Check check = nullptr, SettingType type = SettingType::kString) {
    Push(
        std::move(key), type, std::move(def), std::move(help),
        [field, check](std::string_view text, Config& c) {
          if (check != nullptr) {
            if (Status s = check(text); !s.ok()) return s;
          }
          c.*field = std::string(text);
          return Status::Ok();
        },
        [field](const Config& c) { return c.*field; });
  }

  void SecretText(std::string key, Secret Config::*field, std::string help) {
    Push(
        std::move(key), SettingType::kSecret, "", std::move(help),
        [field](std::string_view text, Config& c) {
          c.*field = Secret(std::string(text));
          return Status::Ok();
        },
        [field](const Config& c) { return std::string((c.*field).Masked()); });
    table_.back().secret = true;
  }

  // A path whose file holds the secret `secret_key` (one trailing newline is trimmed).
  void SecretFile(std::string key, std::string Config::*field, std::string secret_key,
                  std::string help) {
    Text(std::move(key), field, "", std::move(help), nullptr, SettingType::kPath);
    table_.back().secret_file_for = std::move(secret_key);
  }

  void Int(std::string key, std::int64_t Config::*field, std::int64_t def, std::int64_t min,
           std::int64_t max, std::string help) {
    help +=
        max == kNoLimit ? fmt::format(" (at least {})", min) : fmt::format(" ({}..{})", min, max);
    Ranged(std::move(key), SettingType::kInt, field, std::to_string(def), min, max, std::move(help),
           ParseInt, [](std::int64_t v) { return std::to_string(v); });
  }

  void Size(std::string key, std::uint64_t Config::*field, std::string def, std::uint64_t min,
            std::uint64_t max, std::string help) {
    help += fmt::format(" ({}..{})", FormatSize(min), FormatSize(max));
    Ranged(std::move(key), SettingType::kSize, field, std::move(def), min, max, std::move(help),
           ParseSize, FormatSize);
  }

  void Duration(std::string key, milliseconds Config::*field, std::string def, milliseconds min,
                milliseconds max, std::string help) {
    help += fmt::format(" ({}..{})", FormatDuration(min), FormatDuration(max));
    Ranged(std::move(key), SettingType::kDuration, field, std::move(def), min, max, std::move(help),
           ParseDuration, FormatDuration);
  }

  void Bool(std::string key, bool Config::*field, bool def, std::string help) {
    Push(
        std::move(key), SettingType::kBool, def ? "true" : "false", std::move(help),
        [field](std::string_view text, Config& c) -> Status {
          auto v = ParseBool(text);
          if (!v) return v.error();
          c.*field = *v;
          return Status::Ok();
        },
        [field](const Config& c) { return std::string(c.*field ? "true" : "false"); });
  }

  void List(std::string key, std::vector<std::string> Config::*field, std::string def,
            std::string help, Check item_check = nullptr) {
    Push(
        std::move(key), SettingType::kList, std::move(def), std::move(help),
        [field, item_check](std::string_view text, Config& c) -> Status {
          std::vector<std::string> items = SplitList(text);
          for (std::size_t i = 0; item_check != nullptr && i < items.size(); ++i) {
            if (Status s = item_check(items[i]); !s.ok()) {
              return Status::InvalidConfig(fmt::format("item {}: {}", i + 1, s.message()));
            }
          }
          c.*field = std::move(items);
          return Status::Ok();
        },
        [field](const Config& c) { return fmt::format("{}", fmt::join(c.*field, ",")); });
  }

  void Address(std::string key, HostPort Config::*field, std::string def, std::string help) {
    Push(
        std::move(key), SettingType::kAddress, std::move(def), std::move(help),
        [field](std::string_view text, Config& c) -> Status {
          auto v = ParseHostPort(text);
          if (!v) return v.error();
          c.*field = *v;
          return Status::Ok();
        },
        [field](const Config& c) {
          const HostPort& hp = c.*field;
          const bool v6 = hp.host.find(':') != std::string::npos;
          return v6 ? fmt::format("[{}]:{}", hp.host, hp.port)
                    : fmt::format("{}:{}", hp.host, hp.port);
        });
  }

  std::vector<SettingSpec> Take() { return std::move(table_); }
  SettingSpec& Last() { return table_.back(); }

 private:
  // A setting read by `parse`, kept within [min, max] (the error names the bounds as `format`
  // prints them) and printed back by `format`: the shared shape of Int, Size and Duration.
  template <typename T, typename Parse, typename Format>
  void Ranged(std::string key, SettingType type, T Config::*field, std::string def, T min, T max,
              std::string help, Parse parse, Format format) {
    Push(
        std::move(key), type, std::move(def), std::move(help),
        [=](std::string_view text, Config& c) -> Status {
          auto v = parse(text);
          if (!v) return v.error();
          if (*v < min || *v > max) return OutOfRange(format(min), format(max));
          c.*field = *v;
          return Status::Ok();
        },
        [field, format](const Config& c) { return format(c.*field); });
  }

  static Status OutOfRange(const std::string& min, const std::string& max) {
    return Status::InvalidConfig(fmt::format("must be between {} and {}", min, max));
  }

  void Push(std::string key, SettingType type, std::string def, std::string help,
            std::function<Status(std::string_view, Config&)> apply,
            std::function<std::string(const Config&)> format) {
    SettingSpec spec;
    spec.key = std::move(key);
    spec.type = type;
    spec.default_text = std::move(def);
    spec.help = std::move(help);
    spec.group = group_;
    spec.apply = std::move(apply);
    spec.format = std::move(format);
    table_.push_back(std::move(spec));
  }

  std::string group_;
  std::vector<SettingSpec> table_;
};

Status CheckNotEmpty(std::string_view text) {
  return text.empty() ? Status::InvalidConfig("must not be empty") : Status::Ok();
}

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;
constexpr std::uint64_t kGiB = 1024 * kMiB;
using std::chrono::hours;
using std::chrono::minutes;

void AddKafkaSettings(TableBuilder& t) {
  t.Group("Kafka");
  t.Text("brokers", &Config::brokers, "localhost:9092",
         "Kafka bootstrap servers, host:port separated by commas", CheckBrokerList);
  t.Text("topic", &Config::topic, "tidb-cdc", "Topic the TiCDC changefeed writes canal-json to",
         CheckKafkaName);
  t.Text("group", &Config::group, "tidb-cdc-consumer", "Kafka consumer group id", CheckKafkaName);
  t.Text("dlq-topic", &Config::dlq_topic, "tidb-cdc-dlq",
         "Topic receiving messages that cannot be decoded or indexed (dead letters)",
         CheckKafkaName);
  t.Size("max-buffered-bytes", &Config::max_buffered_bytes, "32MiB", kMiB, 16 * kGiB,
         "Bytes read from Kafka but not yet acknowledged by the sink; past this the consumer "
         "pauses its partitions (back-pressure)");
  t.Int("batch-max-records", &Config::batch_max_records, 1000, 1, 100'000,
        "Documents handed to the sink in one batch");
  t.Int("decode-threads", &Config::decode_threads, 0, 0, 64,
        "Threads that decode and shape records, the Kafka poll thread included; 0: one per "
        "core, at most 4");
}

void AddElasticsearchSettings(TableBuilder& t) {
  t.Group("Elasticsearch");
  t.List("es-url", &Config::es_urls, "http://localhost:9200",
         "Elasticsearch base URL(s), comma-separated (http:// or https://, no credentials); "
         "empty selects the embedded SQLite store",
         CheckHttpUrl);
  t.Text("index", &Config::index, "cdc-events", "Index (and index template name) to write to",
         CheckIndexName);
  t.Text("es-user", &Config::es_user, "", "User for HTTP basic authentication");
  t.SecretText("es-password", &Config::es_password,
               "Password for es-user; prefer es-password-file");
  t.SecretFile("es-password-file", &Config::es_password_file, "es-password",
               "File holding the password (one trailing newline is ignored)");
  t.SecretText("es-api-key", &Config::es_api_key,
               "API key (the base64 `encoded` form); excludes es-user; prefer es-api-key-file");
  t.SecretFile("es-api-key-file", &Config::es_api_key_file, "es-api-key",
               "File holding the API key (one trailing newline is ignored)");
  t.Text("es-ca-file", &Config::es_ca_file, "",
         "PEM file of CAs trusted for https:// (empty: the system store)", nullptr,
         SettingType::kPath);
  t.Bool("es-gzip", &Config::es_gzip, true, "Compress bulk request bodies with gzip");
  t.Size("es-bulk-max-bytes", &Config::es_bulk_max_bytes, "5MiB", kKiB, 100 * kMiB,
         "A bulk request is sent when its body reaches this size");
  t.Int("es-bulk-max-docs", &Config::es_bulk_max_docs, 1000, 1, 100'000,
        "A bulk request is sent when it holds this many documents");
  t.Duration("es-bulk-linger", &Config::es_bulk_linger, "50ms", milliseconds(0), minutes(1),
             "A bulk request is sent when its oldest document has waited this long");
  t.Int("es-max-in-flight", &Config::es_max_in_flight, 4, 1, 64, "Bulk requests sent concurrently");
  t.Duration("es-request-timeout", &Config::es_request_timeout, "30s", milliseconds(1), minutes(10),
             "Timeout of one bulk request (then retried)");
  t.Duration("es-connect-timeout", &Config::es_connect_timeout, "5s", milliseconds(1), minutes(5),
             "Timeout of connecting to Elasticsearch");
  t.Duration("es-retry-initial", &Config::es_retry_initial, "100ms", milliseconds(1), minutes(1),
             "First retry delay; doubles per attempt, with full jitter");
  t.Duration("es-retry-max", &Config::es_retry_max, "30s", milliseconds(1), hours(1),
             "Cap of the retry delay");
  t.Bool("es-install-template", &Config::es_install_template, true,
         "Install the versioned index template for <index>* at startup");
}

void AddServiceSettings(TableBuilder& t) {
  t.Group("Embedded store (used when es-url is empty)");
  t.Text("store-path", &Config::store_path, "cdc-events.sqlite",
         "SQLite database file (created when missing)", CheckNotEmpty, SettingType::kPath);
  t.Int("store-max-rows", &Config::store_max_rows, 1'000'000, 0, kNoLimit,
        "Rows kept, oldest pruned first; 0 keeps all");
  t.Duration("store-max-age", &Config::store_max_age, "7d", milliseconds(0), hours(24 * 3650),
             "Rows older than this are pruned; 0ms keeps all");

  t.Group("Service");
  t.Text("config", &Config::config_file, "",
         "YAML file of settings (keys as listed here); flags and env override it", nullptr,
         SettingType::kPath);
  t.Last().allowed_in_file = false;
  t.Address("listen", &Config::listen, "127.0.0.1:3000",
            "Address of the HTTP server (/metrics, /healthz, /readyz, UI); port 0 picks one");
  t.List("redact-columns", &Config::redact_columns, DefaultRedactColumns(),
         "Column name patterns whose values are replaced before indexing; \"\" disables");
  t.Duration("shutdown-timeout", &Config::shutdown_timeout, "8s", milliseconds(0), minutes(10),
             "On SIGTERM, time to flush in-flight writes and commit (keep below the container "
             "stop timeout, 10s for Docker)");
  t.Text("log-level", &Config::log_level, "info",
         "One of trace, debug, info, warn, error, critical, off", CheckLogLevel);
  t.Int("max-table-series", &Config::max_table_series, 200, 1, 100'000,
        "Distinct database/table label pairs in metrics before the overflow bucket");
}

std::vector<SettingSpec> BuildTable() {
  TableBuilder t;
  AddKafkaSettings(t);
  AddElasticsearchSettings(t);
  AddServiceSettings(t);
  return t.Take();
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view SettingTypeName(SettingType type) {
  switch (type) {
    case SettingType::kString:
      return "string";
    case SettingType::kInt:
      return "int";
    case SettingType::kSize:
      return "size";
    case SettingType::kDuration:
      return "duration";
    case SettingType::kBool:
      return "bool";
    case SettingType::kList:
      return "list";
    case SettingType::kSecret:
      return "secret";
    case SettingType::kAddress:
      return "host:port";
    case SettingType::kPath:
      return "path";
  }
  return "string";
}

std::string SettingSpec::EnvName() const {
  std::string env = "CDC_";
  for (const char c : key) {
    env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return env;
}

std::string SettingSpec::FlagName() const { return "--" + key; }

const std::vector<SettingSpec>& Settings() {
  static const std::vector<SettingSpec> table = BuildTable();
  return table;
}

const SettingSpec* FindSetting(std::string_view key) {
  for (const auto& spec : Settings()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

const SettingSpec* FindSettingByEnv(std::string_view env_name) {
  for (const auto& spec : Settings()) {
    if (spec.EnvName() == env_name) return &spec;
  }
  return nullptr;
}

std::string SuggestKey(std::string_view unknown) {
  std::string normalized(unknown);
  std::transform(normalized.begin(), normalized.end(), normalized.begin(), [](unsigned char c) {
    return c == '_' ? '-' : static_cast<char>(std::tolower(c));
  });
  if (normalized.size() > 64) return "";  // no typo is that long; keeps the cost bounded
  std::string best;
  std::size_t best_distance = 3;  // suggest only close keys
  for (const auto& spec : Settings()) {
    const std::size_t d = EditDistance(normalized, spec.key);
    if (d < best_distance) {
      best_distance = d;
      best = spec.key;
    }
  }
  return best;
}

std::string RdkafkaPropertyFromEnv(std::string_view env_name) {
  if (!env_name.starts_with(kRdkafkaEnvPrefix)) return "";
  std::string_view rest = env_name.substr(kRdkafkaEnvPrefix.size());
  std::string out;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '_' && i + 1 < rest.size() && rest[i + 1] == '_') {
      out += '_';
      ++i;
    } else if (rest[i] == '_') {
      out += '.';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(rest[i])));
    }
  }
  return out;
}

bool IsSecretRdkafkaProperty(std::string_view name) {
  static constexpr std::string_view kMarkers[] = {"password",           "secret", "key", "jaas",
                                                  "oauthbearer.config", "token"};
  return std::any_of(std::begin(kMarkers), std::end(kMarkers),
                     [&](std::string_view m) { return name.find(m) != std::string_view::npos; });
}

}  // namespace cdc
