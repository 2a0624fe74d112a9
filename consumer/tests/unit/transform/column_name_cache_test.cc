#include "transform/column_name_cache.h"

#include <gtest/gtest.h>

namespace cdc {
namespace {

TEST(ColumnNameCacheTest, AgreesWithTheRedactorAsTheSchemaChanges) {
  const Redactor redactor(Redactor::DefaultPatterns());
  ColumnNameCache cache;
  // The first table, then a second whose columns sit at the same positions under other names,
  // then the first again: each verdict follows the name, never the position.
  EXPECT_FALSE(cache.Lookup(redactor, "appdb", "users", 0, "id").sensitive);
  EXPECT_TRUE(cache.Lookup(redactor, "appdb", "users", 1, "password").sensitive);
  EXPECT_FALSE(cache.Lookup(redactor, "appdb", "orders", 0, "quantity").sensitive);
  EXPECT_TRUE(cache.Lookup(redactor, "appdb", "orders", 0, "ACCESS_TOKEN").sensitive);
  EXPECT_FALSE(cache.Lookup(redactor, "appdb", "orders", 1, "amount").sensitive);
  EXPECT_TRUE(cache.Lookup(redactor, "appdb", "users", 1, "password").sensitive);
  EXPECT_FALSE(cache.Lookup(redactor, "appdb", "users", 1, "email").sensitive);
}

TEST(ColumnNameCacheTest, QualifiedPatternsAreDecidedPerTable) {
  const Redactor redactor({"appdb.users.email"});
  ColumnNameCache cache;
  EXPECT_TRUE(cache.Lookup(redactor, "appdb", "users", 0, "email").sensitive);
  EXPECT_FALSE(cache.Lookup(redactor, "appdb", "admins", 0, "email").sensitive);
  EXPECT_FALSE(cache.Lookup(redactor, "otherdb", "users", 0, "email").sensitive);
  EXPECT_TRUE(cache.Lookup(redactor, "appdb", "users", 0, "email").sensitive);
}

TEST(ColumnNameCacheTest, AnEmptyColumnNameIsMatchedLikeAnyOther) {
  const Redactor everything({"*"});
  ColumnNameCache cache;
  EXPECT_TRUE(cache.Lookup(everything, "db", "t", 0, "").sensitive);
  EXPECT_TRUE(cache.Lookup(everything, "db", "t", 3, "").sensitive);
}

TEST(ColumnNameCacheTest, VeryWideRowsAreMatchedPastTheRememberedPositions) {
  const Redactor redactor(Redactor::DefaultPatterns());
  ColumnNameCache cache;
  EXPECT_TRUE(cache.Lookup(redactor, "db", "t", 100000, "secret_key").sensitive);
  EXPECT_FALSE(cache.Lookup(redactor, "db", "t", 100000, "name").sensitive);
}

TEST(ColumnNameCacheTest, NamesAreJsonStringLiterals) {
  const Redactor redactor(Redactor::DefaultPatterns());
  ColumnNameCache cache;
  EXPECT_EQ(cache.Lookup(redactor, "db", "t", 0, "id").json_name, "\"id\"");
  EXPECT_EQ(cache.Lookup(redactor, "db", "t", 0, "a\"b\n").json_name, R"("a\"b\n")");
  EXPECT_EQ(cache.Lookup(redactor, "db", "t", 100000, "x\\").json_name, R"("x\\")");
}

TEST(ColumnNameCacheTest, NothingIsSensitiveWithRedactionOff) {
  const Redactor off({});
  ColumnNameCache cache;
  EXPECT_FALSE(cache.Lookup(off, "db", "t", 0, "password").sensitive);
}

}  // namespace
}  // namespace cdc
