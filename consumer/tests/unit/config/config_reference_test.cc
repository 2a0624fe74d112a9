#include "config/config_reference.h"

#include <gtest/gtest.h>

#include <string>

#include "config/settings.h"
#include "support/test_env.h"

namespace cdc {
namespace {

// docs/configuration.md embeds the generated reference; a setting added, renamed or given a new
// default must show up there. To refresh it:
//   build/<preset>/cdc-consumer config-reference --update ../docs/configuration.md
TEST(ConfigReferenceTest, DocsMatchTheSettingsTable) {
  const std::string doc = testing::ReadFile(testing::FixturePath("../../../docs/configuration.md"));
  const auto begin = doc.find(kReferenceBegin);
  const auto end = doc.find(kReferenceEnd);
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  const std::string embedded = doc.substr(begin, end + kReferenceEnd.size() + 1 - begin);
  EXPECT_EQ(embedded, ConfigReferenceMarkdown())
      << "docs/configuration.md is stale: run `cdc-consumer config-reference --update "
         "docs/configuration.md`";
}

TEST(ConfigReferenceTest, ListsEverySettingWithEnvAndDefault) {
  const std::string md = ConfigReferenceMarkdown();
  for (const SettingSpec& spec : Settings()) {
    EXPECT_NE(md.find("| `" + spec.FlagName() + "` | `" + spec.EnvName() + "` |"),
              std::string::npos)
        << spec.key;
    if (!spec.default_text.empty() && spec.default_text.find('|') == std::string::npos) {
      EXPECT_NE(md.find("`" + spec.default_text + "`"), std::string::npos) << spec.key;
    }
  }
  EXPECT_NE(md.find("-X name=value"), std::string::npos);
}

TEST(ConfigReferenceTest, FlagDescriptionsCarryDefaultAndEnvButNeverASecret) {
  EXPECT_EQ(FlagDescription(*FindSetting("topic")),
            "Topic the TiCDC changefeed writes canal-json to [default: tidb-cdc] [env: CDC_TOPIC]");
  const std::string pw = FlagDescription(*FindSetting("es-password"));
  EXPECT_NE(pw.find("[secret]"), std::string::npos);
  EXPECT_EQ(pw.find("default"), std::string::npos);
}

}  // namespace
}  // namespace cdc
