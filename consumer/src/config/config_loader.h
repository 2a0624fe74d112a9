#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "config/config.h"

namespace cdc {

// One problem with the configuration and where it came from. Never carries a secret's value.
struct ConfigError {
  std::string where;  // "config.yaml:12", "env CDC_FOO", "flag --brokers", "default"
  std::string key;    // the setting or librdkafka property; "" for file-level problems
  std::string message;

  // "config.yaml:12: es-url: must start with http:// or https://"
  std::string ToString() const;
};

// A value as given, before parsing, with its origin.
struct RawValue {
  std::string text;
  ValueSource source;
};

// The values one source (file, environment or flags) gives.
struct ConfigLayer {
  std::map<std::string, RawValue> values;                           // setting key → value
  std::vector<std::pair<std::string, RawValue>> rdkafka_overrides;  // property → value
};

// Everything `run` was given: the process environment and the parsed command-line flags.
struct ConfigInputs {
  std::vector<std::string> environment;      // "NAME=value", as in environ
  std::map<std::string, std::string> flags;  // setting key → text, for flags given
  std::vector<std::string> rdkafka_flags;    // the values of -X, "name=value"
};

using ConfigResult = tl::expected<Config, std::vector<ConfigError>>;

// Loads the configuration: defaults < file (--config / CDC_CONFIG) < CDC_* env < flags. Rejects
// unknown keys and unknown CDC_* variables, parses and validates every value, reads secret files,
// checks librdkafka properties with rd_kafka_conf_set, and returns every problem at once.
// Callable from any thread; reads only the files it is pointed at.
ConfigResult LoadConfig(const ConfigInputs& inputs);

// The file layer: parses YAML text (`file_name` is for messages). Appends problems to `errors`.
// Never throws, whatever the bytes (the config fuzz target calls this).
ConfigLayer ParseConfigYaml(std::string_view yaml, std::string_view file_name,
                            std::vector<ConfigError>& errors);
// The environment layer: CDC_* variables only; others are ignored.
ConfigLayer ParseConfigEnv(const std::vector<std::string>& environment,
                           std::vector<ConfigError>& errors);

// Every line of `errors`, one per line, for stderr.
std::string FormatConfigErrors(const std::vector<ConfigError>& errors);

}  // namespace cdc
