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

TEST(StatusTest, CopiesAreDeepAndMovesLeaveOk) {
  const Status error = Status::Permanent("mapping rejected");
  Status copy = error;
  EXPECT_EQ(copy.code(), ErrorCode::kPermanent);
  EXPECT_EQ(copy.message(), "mapping rejected");
  copy = Status::Transient("later");
  EXPECT_EQ(error.message(), "mapping rejected");  // the original is untouched
  Status assigned;
  assigned = error;
  EXPECT_EQ(assigned.ToString(), "permanent: mapping rejected");
  Status moved = std::move(copy);
  EXPECT_EQ(moved.ToString(), "transient: later");
  EXPECT_TRUE(copy.ok());  // a moved-from Status is ok (status.h)
  EXPECT_EQ(copy.message(), "");
  EXPECT_EQ(Status::Ok().code(), ErrorCode::kOk);
  EXPECT_EQ(Status::Ok().ToString(), "ok");
}

TEST(StatusTest, ResultHoldsValueOrError) {
  EXPECT_EQ(*ParsePositive(3), 3);
  auto r = ParsePositive(-1);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace cdc
