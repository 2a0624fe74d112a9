#include "decode/column_types.h"

#include <gtest/gtest.h>

#include <string>

namespace cdc {
namespace {

TEST(ColumnTypesTest, BinaryBaseTypesAreRecognisedWithoutCase) {
  for (const char* type :
       {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "BINARY", "VarBinary",
        "binary(16)", "varbinary(255)", "blob(1024)", "longblob unsigned", "binary(4) zerofill",
        "vArBiNaRy(8)", "MEDIUMBLOB", "TinyBlob"}) {
    EXPECT_TRUE(IsBinaryMysqlType(type)) << type;
  }
}

TEST(ColumnTypesTest, OtherTypesAreNotBinaryEvenWhenTheyMentionIt) {
  for (const char* type : {"",
                           "varchar",
                           "text",
                           "longtext",
                           "json",
                           "bit(8)",
                           "set('binary','x')",
                           "enum('blob')",
                           "binaryx",
                           "blobs",
                           "varbinaryy",
                           "char(10) binary",
                           "(binary)",
                           " binary",
                           "tinyblobtinyblob",
                           "mediumblob2",
                           "bigint",
                           "int(11)",
                           "tinyint(1)",
                           "mediumtext",
                           "long",
                           "bina",
                           "blo",
                           "b\x02ob",
                           "tinyblo",
                           "varbinar(3)"}) {
    EXPECT_FALSE(IsBinaryMysqlType(type)) << type;
  }
}

// Latin1ToBytes into a buffer of exactly the input's size, as the decoder sizes it.
std::optional<std::string> Bytes(std::string_view utf8) {
  std::string out(utf8.size(), '\0');
  const std::optional<std::size_t> written = Latin1ToBytes(utf8, out.data());
  if (!written) return std::nullopt;
  out.resize(*written);
  return out;
}

TEST(ColumnTypesTest, Latin1CodePointsBecomeBytes) {
  EXPECT_EQ(Bytes(std::string("A\xc2\x80\xc3\xbf\x00z", 7)),
            std::string("A\x80\xff\x00z", 5));  // U+0080, U+00FF, U+0000
  EXPECT_EQ(Bytes(std::string("\x00\x7f", 2)), std::string("\x00\x7f", 2));
  EXPECT_EQ(Bytes(""), "");
}

TEST(ColumnTypesTest, CodePointsAboveFfAreRefused) {
  for (const std::string bad :
       {"\xc4\x80", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xc3", "\x80", "ok\xe2\x82\xac"}) {
    EXPECT_EQ(Bytes(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace cdc
