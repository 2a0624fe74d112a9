// The file and environment layers of the configuration (see config_loader.h).
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <map>
#include <string>

#include <fmt/format.h>

#include "config/config_loader.h"
#include "config/settings.h"

namespace cdc {
namespace {

// A config file is a flat map, so these bounds are far above any real file; they keep yaml-cpp,
// whose parser recurses once per nesting level, from exhausting the stack on hostile input.
constexpr std::size_t kMaxFileBytes = 1 << 20;
constexpr std::size_t kMaxFlowOpeners = 256;     // '[' and '{' in the whole file
constexpr std::size_t kMaxIndent = 128;          // leading spaces of a line
constexpr std::size_t kMaxBlockIndicators = 32;  // "- ", "? ", ": " on one line

// Shows user-provided text (an unknown key) safely: printable ASCII only, bounded length.
std::string Printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 64)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (text.size() > 64) out += "...";
  return out;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Empty when the text is within the bounds above, else what is wrong.
std::string CheckShape(std::string_view yaml) {
  if (yaml.size() > kMaxFileBytes) return "file is larger than 1 MiB";
  std::size_t openers = 0;
  std::size_t indent = 0;
  std::size_t indicators = 0;
  bool line_start = true;
  bool comment = false;  // block indicators in a comment nest nothing; brackets still count
  for (std::size_t i = 0; i < yaml.size(); ++i) {
    const char c = yaml[i];
    if (c == '\n') {
      line_start = true;
      comment = false;
      indent = 0;
      indicators = 0;
      continue;
    }
    if (line_start && c == ' ') {
      if (++indent > kMaxIndent) return "lines are indented too deeply";
      continue;
    }
    if (c == '#' && (line_start || IsBlank(yaml[i - 1]))) comment = true;
    line_start = false;
    if (c == '[' || c == '{') ++openers;
    const bool indicator = (c == '-' || c == '?' || c == ':') &&
                           (i + 1 == yaml.size() || IsBlank(yaml[i + 1]) || yaml[i + 1] == '\n');
    if (indicator && !comment) ++indicators;
    if (openers > kMaxFlowOpeners || indicators > kMaxBlockIndicators) {
      return "values are nested too deeply";
    }
  }
  return "";
}

std::string Where(std::string_view file_name, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return std::string(file_name);
  return fmt::format("{}:{}", file_name, mark.line + 1);
}

// The text of a setting's value node; false (with `error` set) when the shape is wrong.
bool ValueText(const SettingSpec& spec, const YAML::Node& value, std::string& text,
               std::string& error) {
  if (!value.IsDefined() || value.IsNull()) {
    text.clear();
    return true;
  }
  if (value.IsScalar()) {
    text = value.Scalar();
    return true;
  }
  if (value.IsSequence() && spec.type == SettingType::kList) {
    text.clear();
    for (const auto& item : value) {
      if (!item.IsScalar() || item.Scalar().find(',') != std::string::npos) {
        error = "list items must be plain values without commas";
        return false;
      }
      if (!text.empty()) text += ',';
      text += item.Scalar();
    }
    return true;
  }
  error = spec.type == SettingType::kList ? "must be a list or a comma-separated string"
                                          : "must be a single value, not a list or map";
  return false;
}

void ReadRdkafkaMap(const YAML::Node& map, const std::string& key_where, std::string_view file_name,
                    ConfigLayer& layer, std::vector<ConfigError>& errors) {
  if (map.IsNull()) return;
  if (!map.IsMap()) {
    errors.push_back(
        {key_where, std::string(kRdkafkaFileKey), "must be a map of librdkafka property: value"});
    return;
  }
  for (const auto& entry : map) {
    const std::string where = Where(file_name, entry.first);
    if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
      errors.push_back({where, std::string(kRdkafkaFileKey), "property names must be text"});
      continue;
    }
    const std::string& name = entry.first.Scalar();
    if (!entry.second.IsScalar() && !entry.second.IsNull()) {
      errors.push_back({where, "-X " + Printable(name), "must be a single value"});
      continue;
    }
    const std::string text = entry.second.IsNull() ? "" : entry.second.Scalar();
    layer.rdkafka_overrides.push_back({name, {text, {ValueSource::Kind::kFile, where}}});
  }
}

void ReadTopLevel(const YAML::Node& root, std::string_view file_name, ConfigLayer& layer,
                  std::vector<ConfigError>& errors) {
  std::map<std::string, std::string> seen;  // key → where first given
  for (const auto& entry : root) {
    const std::string where = Where(file_name, entry.first);
    if (!entry.first.IsScalar()) {
      errors.push_back({where, "", "keys must be plain names"});
      continue;
    }
    const std::string& key = entry.first.Scalar();
    if (auto [it, inserted] = seen.emplace(key, where); !inserted) {
      errors.push_back(
          {where, Printable(key), "duplicate key (first given at " + it->second + ")"});
      continue;
    }
    if (key == kRdkafkaFileKey) {
      ReadRdkafkaMap(entry.second, where, file_name, layer, errors);
      continue;
    }
    const SettingSpec* spec = FindSetting(key);
    if (spec == nullptr) {
      const std::string hint = SuggestKey(key);
      errors.push_back({where, Printable(key),
                        hint.empty() ? "unknown key" : "unknown key (did you mean " + hint + "?)"});
      continue;
    }
    if (!spec->allowed_in_file) {
      errors.push_back({where, key, "cannot be set inside the config file"});
      continue;
    }
    std::string text;
    std::string error;
    if (!ValueText(*spec, entry.second, text, error)) {
      errors.push_back({where, key, error});
      continue;
    }
    layer.values[key] = {std::move(text), {ValueSource::Kind::kFile, where}};
  }
}

}  // namespace

ConfigLayer ParseConfigYaml(std::string_view yaml, std::string_view file_name,
                            std::vector<ConfigError>& errors) {
  ConfigLayer layer;
  if (const std::string shape = CheckShape(yaml); !shape.empty()) {
    errors.push_back({std::string(file_name), "", shape});
    return layer;
  }
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    if (root.IsNull() || !root.IsDefined()) return layer;  // an empty file sets nothing
    if (!root.IsMap()) {
      errors.push_back({Where(file_name, root), "", "must be a map of key: value"});
      return layer;
    }
    ReadTopLevel(root, file_name, layer, errors);
  } catch (const YAML::Exception& e) {
    // e.msg is yaml-cpp's description of the syntax error; it does not quote the input.
    errors.push_back({e.mark.is_null() ? std::string(file_name)
                                       : fmt::format("{}:{}", file_name, e.mark.line + 1),
                      "", "invalid YAML: " + e.msg});
    layer = {};
  } catch (const std::exception& e) {
    errors.push_back({std::string(file_name), "", std::string("cannot be read: ") + e.what()});
    layer = {};
  }
  return layer;
}

ConfigLayer ParseConfigEnv(const std::vector<std::string>& environment,
                           std::vector<ConfigError>& errors) {
  ConfigLayer layer;
  for (const std::string& entry : environment) {
    const auto eq = entry.find('=');
    const std::string name = entry.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : entry.substr(eq + 1);
    if (!name.starts_with("CDC_") || name.starts_with(kReservedEnvPrefix)) continue;
    const std::string where = "env " + Printable(name);
    if (name.starts_with(kRdkafkaEnvPrefix)) {
      const std::string property = RdkafkaPropertyFromEnv(name);
      if (property.empty()) {
        errors.push_back({where, "", "names no librdkafka property"});
      } else {
        layer.rdkafka_overrides.push_back({property, {value, {ValueSource::Kind::kEnv, where}}});
      }
      continue;
    }
    const SettingSpec* spec = FindSettingByEnv(name);
    if (spec == nullptr) {
      // The value is never shown: a misspelt CDC_ES_PASSWROD still holds a password.
      const std::string hint = SuggestKey(name.substr(4));
      errors.push_back(
          {where, "",
           hint.empty() ? "unknown variable"
                        : "unknown variable (did you mean " + FindSetting(hint)->EnvName() + "?)"});
      continue;
    }
    layer.values[spec->key] = {value, {ValueSource::Kind::kEnv, where}};
  }
  return layer;
}

}  // namespace cdc
