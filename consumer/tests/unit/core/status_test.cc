#include "core/status.h"

#include <gtest/gtest.h>

namespace cdc {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return Err(Status::InvalidInput("not positive"));
  return v;
}

TEST(StatusTest, CarriesRetryClass) {
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_TRUE(Status::Transient("x").IsRetryable());
  EXPECT_FALSE(Status::Permanent("x").IsRetryable());
  EXPECT_EQ(Status::InvalidConfig("bad key").ToString(), "invalid_config: bad key");
}

TEST(StatusTest, ResultHoldsValueOrError) {
  EXPECT_EQ(*ParsePositive(3), 3);
  auto r = ParsePositive(-1);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace cdc
