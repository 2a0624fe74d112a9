#include "config/config_reference.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace cdc {
namespace {

std::string DefaultShown(const SettingSpec& spec) {
  if (spec.default_text.empty()) return "(none)";
  return spec.default_text;
}

// Markdown table cells: '|' would end the cell.
std::string Cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// A YAML double-quoted scalar, so that any value dumps as valid YAML.
std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string ConfigReferenceMarkdown() {
  std::string out = std::string(kReferenceBegin) + "\n";
  std::string group;
  for (const SettingSpec& spec : Settings()) {
    if (spec.group != group) {
      group = spec.group;
      out += fmt::format("\n### {}\n\n", group);
      out += "| Key / flag | Environment | Type | Default | Description |\n";
      out += "|---|---|---|---|---|\n";
    }
    std::string description = Cell(spec.help);
    if (spec.secret) description += ". **Secret:** shown as `***`.";
    if (!spec.allowed_in_file) description += ". Flag and environment only.";
    const std::string def = DefaultShown(spec);
    out += fmt::format("| `{}` | `{}` | {} | {} | {} |\n", spec.FlagName(), spec.EnvName(),
                       SettingTypeName(spec.type),
                       spec.default_text.empty() ? def : "`" + Cell(def) + "`", description);
  }
  out += fmt::format(
      "\n### librdkafka properties\n\n"
      "| Flag | File | Environment |\n|---|---|---|\n"
      "| `-X name=value` (repeatable) | `{}:` map of `name: value` | `{}<NAME>`: upper case, "
      "`.` → `_`, `_` → `__` |\n\n"
      "Passed to librdkafka verbatim and checked at startup. `bootstrap.servers`, `group.id` and "
      "`enable.auto.offset.store` are refused (use `--brokers`, `--group`; offsets are stored "
      "only once acknowledged). Values of properties whose name contains `password`, `secret`, "
      "`key`, `token`, `jaas` or `oauthbearer.config` are shown as `***`.\n",
      kRdkafkaFileKey, kRdkafkaEnvPrefix);
  out += std::string(kReferenceEnd) + "\n";
  return out;
}

Status UpdateConfigReference(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidInput(fmt::format("cannot read {}", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const auto begin = text.find(kReferenceBegin);
  const auto end = text.find(kReferenceEnd);
  if (begin == std::string::npos || end == std::string::npos || end < begin) {
    return Status::InvalidInput(fmt::format("{} has no generated-section markers", path));
  }
  const auto after = text.find('\n', end);
  const std::string updated = text.substr(0, begin) + ConfigReferenceMarkdown() +
                              (after == std::string::npos ? "" : text.substr(after + 1));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << updated;
  if (!out) return Status::Internal(fmt::format("cannot write {}", path));
  return Status::Ok();
}

std::string FlagDescription(const SettingSpec& spec) {
  std::string out = spec.help;
  if (spec.secret) {
    out += " [secret]";
  } else {
    out += fmt::format(" [default: {}]", spec.default_text.empty() ? "none" : spec.default_text);
  }
  out += fmt::format(" [env: {}]", spec.EnvName());
  return out;
}

std::string DumpConfig(const Config& config) {
  std::string out;
  for (const SettingSpec& spec : Settings()) {
    const auto it = config.sources.find(spec.key);
    const std::string where = it == config.sources.end() ? "default" : it->second.where;
    // `config` cannot be set inside a file; kept as a comment so the dump stays loadable.
    out += fmt::format("{}{}: {}  # {}\n", spec.allowed_in_file ? "" : "# ", spec.key,
                       Quoted(spec.format(config)), where);
  }
  if (!config.rdkafka_overrides.empty()) out += fmt::format("{}:\n", kRdkafkaFileKey);
  for (const auto& [name, value] : config.rdkafka_overrides) {
    out += fmt::format("  {}: {}\n", name,
                       Quoted(IsSecretRdkafkaProperty(name) ? Secret::kMask : value));
  }
  return out;
}

}  // namespace cdc
