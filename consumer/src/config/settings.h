#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/status.h"

namespace cdc {

// The value types of settings, as documented in --help and docs/configuration.md.
enum class SettingType { kString, kInt, kSize, kDuration, kBool, kList, kSecret, kAddress, kPath };
std::string_view SettingTypeName(SettingType type);

// One configuration key, declared once (style.md §4). The same declaration drives YAML parsing,
// the CDC_* environment variable, the --flag, unknown-key rejection, validation, --help and the
// reference. Immutable after Settings() builds the table; safe to read from any thread.
struct SettingSpec {
  std::string key;  // the YAML key; the flag is --<key>, the env var CDC_<KEY> (see below)
  SettingType type = SettingType::kString;
  std::string default_text;  // parsed by `apply` like any other value, so it cannot drift
  std::string help;
  std::string group;            // section in --help and the reference: Kafka, Elasticsearch, ...
  bool secret = false;          // the value prints as *** everywhere
  bool allowed_in_file = true;  // false for `config` itself
  std::string secret_file_for;  // "es-password" for es-password-file: its file holds that secret
  // Parses `text` into the right field of `config`. The error never contains `text`.
  std::function<Status(std::string_view text, Config& config)> apply;
  // The field's value as text that parses back; secrets give *** (or "" when unset).
  std::function<std::string(const Config& config)> format;

  std::string EnvName() const;   // es-url → CDC_ES_URL
  std::string FlagName() const;  // es-url → --es-url
};

// Every setting of `cdc-consumer run`, in the order of --help and the reference.
const std::vector<SettingSpec>& Settings();
const SettingSpec* FindSetting(std::string_view key);
const SettingSpec* FindSettingByEnv(std::string_view env_name);
// The known key closest to `unknown` (a typo, or '_' for '-'), or "" when none is close.
std::string SuggestKey(std::string_view unknown);

// librdkafka properties: `-X name=value`, the `rdkafka:` map in the file, and CDC_X_<NAME> in
// the environment (upper case, '.' → '_', '_' → '__': CDC_X_SASL_PASSWORD is sasl.password).
inline constexpr std::string_view kRdkafkaFileKey = "rdkafka";
inline constexpr std::string_view kRdkafkaEnvPrefix = "CDC_X_";
// Variables of the test harness (CDC_TEST_TIMEOUT_MULTIPLIER): not settings, not rejected.
inline constexpr std::string_view kReservedEnvPrefix = "CDC_TEST_";
std::string RdkafkaPropertyFromEnv(std::string_view env_name);  // "" when not CDC_X_*
// True for librdkafka properties whose values are credentials (passwords, keys, secrets); their
// values print as *** like any secret setting.
bool IsSecretRdkafkaProperty(std::string_view name);

}  // namespace cdc
