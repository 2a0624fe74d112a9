#include "metrics/label_capper.h"

#include <string>

#include <gtest/gtest.h>

namespace cdc {
namespace {

TEST(LabelCapperTest, KeepsPairsUpToTheCapThenOverflows) {
  LabelCapper capper(2);
  EXPECT_EQ(capper.Map("appdb", "users"),
            std::make_pair(std::string("appdb"), std::string("users")));
  EXPECT_EQ(capper.Map("appdb", "orders").second, "orders");
  EXPECT_EQ(capper.Map("appdb", "third").first, LabelCapper::kOverflow);
  // A pair seen before the cap keeps its name afterwards.
  EXPECT_EQ(capper.Map("appdb", "users").second, "users");
}

TEST(LabelCapperTest, SanitizeReplacesInvalidUtf8AndControls) {
  EXPECT_EQ(LabelCapper::Sanitize("ok\xff"), "ok\xEF\xBF\xBD");
  EXPECT_EQ(LabelCapper::Sanitize("a\nb"), "a?b");
  EXPECT_EQ(LabelCapper::Sanitize("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(LabelCapper::Sanitize("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(LabelCapper::Sanitize("h\xC3\xA9"), "h\xC3\xA9");
}

TEST(LabelCapperTest, SanitizeCapsLengthWithoutSplittingASequence) {
  std::string long_name(LabelCapper::kMaxLabelBytes - 1, 'x');
  long_name += "\xC3\xA9";  // two bytes: would pass the cap by one
  const std::string out = LabelCapper::Sanitize(long_name);
  EXPECT_EQ(out.size(), LabelCapper::kMaxLabelBytes - 1);
  EXPECT_EQ(out, std::string(LabelCapper::kMaxLabelBytes - 1, 'x'));
}

}  // namespace
}  // namespace cdc
