#include "core/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace cdc {
namespace {

std::string Encode(std::string_view bytes) {
  std::string out;
  AppendBase64(bytes, &out);
  return out;
}

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ(Encode(""), "");
  EXPECT_EQ(Encode("f"), "Zg==");
  EXPECT_EQ(Encode("fo"), "Zm8=");
  EXPECT_EQ(Encode("foo"), "Zm9v");
  EXPECT_EQ(Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, BinaryBytesUseTheStandardAlphabet) {
  EXPECT_EQ(Encode(std::string("\x00\xff\xfe\x80", 4)), "AP/+gA==");
  EXPECT_EQ(Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(Base64Length(0), 0U);
  EXPECT_EQ(Base64Length(1), 4U);
  EXPECT_EQ(Base64Length(3), 4U);
  EXPECT_EQ(Base64Length(4), 8U);
}

TEST(Base64Test, AppendsAndHasNoLineBreaks) {
  std::string out = "x";
  AppendBase64(std::string(3000, '\xab'), &out);
  EXPECT_EQ(out.size(), 1 + Base64Length(3000));
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(out.find('\0'), std::string::npos);
  EXPECT_EQ(out.substr(0, 5), "xq6ur");
}

}  // namespace
}  // namespace cdc
