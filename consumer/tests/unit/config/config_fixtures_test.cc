// Table-driven from tests/fixtures/config/*.yaml: each file states in comments what loading it
// must give (see the README there).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "config/settings.h"
#include "support/test_env.h"

namespace cdc {
namespace {

struct Expectations {
  std::vector<std::pair<std::string, std::string>> values;  // key (or "-X name") → printed
  std::vector<std::string> errors;
};

Expectations ReadExpectations(const std::string& path) {
  Expectations e;
  std::istringstream in(testing::ReadFile(path));
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# expect: ")) {
      const std::string kv = line.substr(10);
      const auto eq = kv.find('=');
      e.values.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else if (line.starts_with("# expect-error: ")) {
      e.errors.push_back(line.substr(16));
    }
  }
  return e;
}

std::string Printed(const Config& config, const std::string& key) {
  if (key.starts_with("-X ")) {
    for (const auto& [name, value] : config.rdkafka_overrides) {
      if (name == key.substr(3)) return value;
    }
    return "<unset>";
  }
  const SettingSpec* spec = FindSetting(key);
  return spec == nullptr ? "<no such key>" : spec->format(config);
}

std::vector<std::string> FixtureFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(testing::FixturePath("config"))) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class ConfigFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ConfigFixtureTest, LoadsAsItsCommentsSay) {
  const std::string path = testing::FixturePath("config/" + GetParam());
  const Expectations expect = ReadExpectations(path);
  ASSERT_FALSE(expect.values.empty() && expect.errors.empty()) << path << " states nothing";

  ConfigInputs inputs;
  inputs.flags["config"] = path;
  const ConfigResult result = LoadConfig(inputs);

  if (expect.errors.empty()) {
    ASSERT_TRUE(result.has_value()) << FormatConfigErrors(result.error());
  } else {
    ASSERT_FALSE(result.has_value()) << "expected errors";
    const std::string all = FormatConfigErrors(result.error());
    EXPECT_EQ(result.error().size(), expect.errors.size()) << all;
    for (const std::string& want : expect.errors) {
      EXPECT_NE(all.find(want), std::string::npos) << "missing: " << want << "\nin:\n" << all;
    }
    return;
  }
  for (const auto& [key, want] : expect.values) {
    EXPECT_EQ(Printed(*result, key), want) << key;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ConfigFixtureTest, ::testing::ValuesIn(FixtureFiles()),
                         [](const auto& param_info) {
                           std::string name =
                               param_info.param.substr(0, param_info.param.size() - 5);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace cdc
