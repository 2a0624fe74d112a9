// libFuzzer target for the YAML config loader: any bytes as a config file must give a layer of
// values or a list of errors, never a crash, a hang or unbounded recursion in yaml-cpp. Every
// value found is also run through its setting's parser, as LoadConfig does.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "config/config_loader.h"
#include "config/settings.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  std::vector<cdc::ConfigError> errors;
  const cdc::ConfigLayer layer = cdc::ParseConfigYaml(yaml, "fuzz.yaml", errors);
  cdc::Config config;
  for (const auto& [key, raw] : layer.values) {
    const cdc::SettingSpec* spec = cdc::FindSetting(key);
    if (spec == nullptr) __builtin_trap();  // the parser must only keep known keys
    (void)spec->apply(raw.text, config);
    (void)spec->format(config);
  }
  for (const auto& error : errors) (void)error.ToString();
  return 0;
}
