#include "config/config_loader.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "config/settings.h"
#include "config/value_parsers.h"

namespace cdc {
namespace {

// librdkafka properties the consumer sets from its own settings or relies on for at-least-once
// delivery; overriding them with -X would silently change what the other settings say.
struct ReservedProperty {
  std::string_view name;
  std::string_view reason;
};
constexpr ReservedProperty kReservedProperties[] = {
    {"bootstrap.servers", "set with brokers"},
    {"metadata.broker.list", "set with brokers"},
    {"group.id", "set with group"},
    {"enable.auto.offset.store", "must stay false: offsets are stored only once acknowledged"},
};

// How a non-secret value appears in an error: quoted, printable, bounded, and with any
// user:password@ of a URL masked (someone may paste credentials into es-url).
std::string Shown(const SettingSpec& spec, std::string_view text) {
  if (spec.secret) return "";
  std::string masked(text);
  for (std::size_t scheme = masked.find("://"); scheme != std::string::npos;
       scheme = masked.find("://", scheme + 3)) {
    const std::size_t at = masked.find('@', scheme + 3);
    const std::size_t end = masked.find_first_of("/,", scheme + 3);
    if (at != std::string::npos && at < end) masked.replace(scheme + 3, at - scheme - 3, "***");
  }
  text = masked;
  std::string out = " (got \"";
  for (const char c : text.substr(0, 80)) out += (c >= 0x20 && c < 0x7f && c != '"') ? c : '?';
  if (text.size() > 80) out += "...";
  return out + "\")";
}

std::string TrimOneNewline(std::string text) {
  if (text.ends_with("\r\n")) {
    text.resize(text.size() - 2);
  } else if (text.ends_with('\n')) {
    text.pop_back();
  }
  return text;
}

bool ReadWholeFile(const std::string& path, std::size_t max_bytes, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return false;
  out = ss.str();
  return out.size() <= max_bytes;
}

// flag > env > file > default: the value that wins for `key`.
RawValue Pick(const SettingSpec& spec, const ConfigLayer& file, const ConfigLayer& env,
              const ConfigLayer& flags) {
  for (const ConfigLayer* layer : {&flags, &env, &file}) {
    if (auto it = layer->values.find(spec.key); it != layer->values.end()) return it->second;
  }
  return {spec.default_text, ValueSource::Default()};
}

// Reads es-password-file and the like into their secrets.
void ReadSecretFiles(Config& config, std::vector<ConfigError>& errors) {
  for (const SettingSpec& file_spec : Settings()) {
    if (file_spec.secret_file_for.empty()) continue;
    const std::string path = file_spec.format(config);
    if (path.empty()) continue;
    const SettingSpec* secret = FindSetting(file_spec.secret_file_for);
    const std::string& where = config.sources[file_spec.key].where;
    if (!secret->format(config).empty()) {
      errors.push_back({where, file_spec.key,
                        fmt::format("give either {} or {}, not both", secret->key, file_spec.key)});
      continue;
    }
    std::string content;
    if (!ReadWholeFile(path, 64 * 1024, content)) {
      errors.push_back(
          {where, file_spec.key, fmt::format("cannot read \"{}\" (or larger than 64 KiB)", path)});
      continue;
    }
    content = TrimOneNewline(std::move(content));
    if (content.empty()) {
      errors.push_back({where, file_spec.key, fmt::format("\"{}\" is empty", path)});
      continue;
    }
    (void)secret->apply(content, config);  // a secret's parser accepts any text
    config.sources[secret->key] = {ValueSource::Kind::kFile, "file " + path};
  }
}

void CheckCombinations(Config& config, std::vector<ConfigError>& errors) {
  auto where = [&config](const char* key) { return config.sources[key].where; };
  if (!config.es_api_key.empty() && !config.es_user.empty()) {
    errors.push_back({where("es-api-key"), "es-api-key",
                      "give either es-api-key or es-user/es-password, not both"});
  }
  if (!config.es_password.empty() && config.es_user.empty()) {
    errors.push_back({where("es-password"), "es-password", "needs es-user"});
  }
  if (config.es_password.empty() && !config.es_user.empty()) {
    errors.push_back({where("es-user"), "es-user", "needs es-password or es-password-file"});
  }
  if (config.es_retry_max < config.es_retry_initial) {
    errors.push_back({where("es-retry-max"), "es-retry-max", "must be at least es-retry-initial"});
  }
  if (config.dlq_topic == config.topic) {
    errors.push_back({where("dlq-topic"), "dlq-topic",
                      "must differ from topic (dead letters would be consumed again)"});
  }
  if (!config.es_ca_file.empty() && !std::ifstream(config.es_ca_file).good()) {
    errors.push_back(
        {where("es-ca-file"), "es-ca-file", fmt::format("cannot read \"{}\"", config.es_ca_file)});
  }
}

// Merges -X values (flag > env > file, first-given order) and checks each with librdkafka.
void LoadRdkafka(const ConfigLayer& file, const ConfigLayer& env, const ConfigLayer& flags,
                 Config& config, std::vector<ConfigError>& errors) {
  std::vector<std::pair<std::string, RawValue>> merged;
  for (const ConfigLayer* layer : {&file, &env, &flags}) {
    for (const auto& [name, raw] : layer->rdkafka_overrides) {
      auto it = std::find_if(merged.begin(), merged.end(),
                             [&name = name](const auto& m) { return m.first == name; });
      if (it == merged.end()) {
        merged.emplace_back(name, raw);
      } else {
        it->second = raw;
      }
    }
  }
  std::unique_ptr<rd_kafka_conf_t, decltype(&rd_kafka_conf_destroy)> conf(rd_kafka_conf_new(),
                                                                          rd_kafka_conf_destroy);
  for (const auto& [name, raw] : merged) {
    const std::string key = "-X " + name;
    const auto reserved =
        std::find_if(std::begin(kReservedProperties), std::end(kReservedProperties),
                     [&name = name](const ReservedProperty& r) { return r.name == name; });
    if (reserved != std::end(kReservedProperties)) {
      errors.push_back({raw.source.where, key, std::string(reserved->reason)});
      continue;
    }
    char errstr[512] = {0};
    if (rd_kafka_conf_set(conf.get(), name.c_str(), raw.text.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      // librdkafka quotes the value in its message; a credential must not be shown.
      std::string message = IsSecretRdkafkaProperty(name) ? std::string("rejected by librdkafka")
                                                          : std::string(TrimSpace(errstr));
      errors.push_back({raw.source.where, key, message});
      continue;
    }
    config.rdkafka_overrides.emplace_back(name, raw.text);
  }
}

ConfigLayer FlagLayer(const ConfigInputs& inputs, std::vector<ConfigError>& errors) {
  ConfigLayer layer;
  for (const auto& [key, text] : inputs.flags) {
    const SettingSpec* spec = FindSetting(key);
    if (spec == nullptr) {
      errors.push_back({"flag --" + key, key, "unknown flag"});
      continue;
    }
    layer.values[key] = {text, {ValueSource::Kind::kFlag, "flag " + spec->FlagName()}};
  }
  for (const std::string& x : inputs.rdkafka_flags) {
    const auto eq = x.find('=');
    if (eq == std::string::npos || eq == 0) {
      errors.push_back({"flag -X", "-X", "must be -X name=value"});
      continue;
    }
    layer.rdkafka_overrides.push_back(
        {x.substr(0, eq), {x.substr(eq + 1), {ValueSource::Kind::kFlag, "flag -X"}}});
  }
  return layer;
}

ConfigLayer FileLayer(const RawValue& path, std::vector<ConfigError>& errors) {
  if (path.text.empty()) return {};
  std::string yaml;
  std::ifstream in(path.text, std::ios::binary);
  if (!in) {
    errors.push_back({path.source.where, "config", fmt::format("cannot read \"{}\"", path.text)});
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseConfigYaml(ss.str(), path.text, errors);
}

}  // namespace

std::string ConfigError::ToString() const {
  if (key.empty()) return fmt::format("{}: {}", where, message);
  return fmt::format("{}: {}: {}", where, key, message);
}

std::string FormatConfigErrors(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const ConfigError& e : errors) out += e.ToString() + "\n";
  return out;
}

ConfigResult LoadConfig(const ConfigInputs& inputs) {
  std::vector<ConfigError> errors;
  const ConfigLayer env = ParseConfigEnv(inputs.environment, errors);
  const ConfigLayer flags = FlagLayer(inputs, errors);
  const ConfigLayer file = FileLayer(Pick(*FindSetting("config"), {}, env, flags), errors);

  Config config;
  for (const SettingSpec& spec : Settings()) {
    RawValue raw = Pick(spec, file, env, flags);
    if (Status s = spec.apply(raw.text, config); !s.ok()) {
      errors.push_back({raw.source.where, spec.key, s.message() + Shown(spec, raw.text)});
      // Keep a valid value so that later checks do not report follow-on errors.
      (void)spec.apply(spec.default_text, config);
    }
    config.sources[spec.key] = std::move(raw.source);
  }
  ReadSecretFiles(config, errors);
  CheckCombinations(config, errors);
  LoadRdkafka(file, env, flags, config, errors);
  if (!errors.empty()) return tl::unexpected(std::move(errors));
  return config;
}

}  // namespace cdc
