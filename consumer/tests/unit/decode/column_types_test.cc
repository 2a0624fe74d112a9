#include "decode/column_types.h"

#include <gtest/gtest.h>

#include <string>

namespace cdc {
namespace {

TEST(ColumnTypesTest, BinaryBaseTypesAreRecognisedWithoutCase) {
  for (const char* type :
       {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "BINARY", "VarBinary",
        "binary(16)", "varbinary(255)", "blob(1024)", "longblob unsigned", "binary(4) zerofill"}) {
    EXPECT_TRUE(IsBinaryMysqlType(type)) << type;
  }
}

TEST(ColumnTypesTest, OtherTypesAreNotBinaryEvenWhenTheyMentionIt) {
  for (const char* type :
       {"", "varchar", "text", "longtext", "json", "bit(8)", "set('binary','x')", "enum('blob')",
        "binaryx", "blobs", "varbinaryy", "char(10) binary", "(binary)", " binary",
        "tinyblobtinyblob", "mediumblob2", "bigint", "int(11)"}) {
    EXPECT_FALSE(IsBinaryMysqlType(type)) << type;
  }
}

TEST(ColumnTypesTest, Latin1CodePointsBecomeBytes) {
  std::string out = "keep:";
  ASSERT_TRUE(AppendLatin1Bytes("A\xc2\x80\xc3\xbf\x00z", &out));  // U+0080, U+00FF
  EXPECT_EQ(out, std::string("keep:A\x80\xff", 8));
  out.clear();
  ASSERT_TRUE(AppendLatin1Bytes(std::string("\x00\x7f", 2), &out));
  EXPECT_EQ(out, std::string("\x00\x7f", 2));
  out.clear();
  ASSERT_TRUE(AppendLatin1Bytes("", &out));
  EXPECT_TRUE(out.empty());
}

TEST(ColumnTypesTest, CodePointsAboveFfAreRefusedAndLeaveTheOutputAlone) {
  for (const std::string bad :
       {"\xc4\x80", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xc3", "\x80", "ok\xe2\x82\xac"}) {
    std::string out = "before";
    EXPECT_FALSE(AppendLatin1Bytes(bad, &out));
    EXPECT_EQ(out, "before");
  }
}

}  // namespace
}  // namespace cdc
