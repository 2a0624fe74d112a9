#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace cdc {
namespace {

std::string Quoted(std::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

TEST(JsonWriterTest, EscapesWhatJsonRequiresAndNothingElse) {
  EXPECT_EQ(Quoted(""), R"("")");
  EXPECT_EQ(Quoted("plain text 123"), R"("plain text 123")");
  EXPECT_EQ(Quoted("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(Quoted("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(Quoted(std::string("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(Quoted("<>&'"), R"("<>&'")");
  // Valid UTF-8 of every length passes through untouched, U+2028 included.
  EXPECT_EQ(Quoted("\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\xe2\x80\xa8"),
            "\"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\xe2\x80\xa8\"");
}

TEST(JsonWriterTest, EveryControlByteIsEscapedAtEveryPosition) {
  // The scan works on 16- and 8-byte blocks: put the byte at each offset of a long string.
  for (int c = 0; c < 0x20; ++c) {
    for (std::size_t pos = 0; pos < 40; ++pos) {
      std::string text(40, 'x');
      text[pos] = static_cast<char>(c);
      const std::string out = Quoted(text);
      EXPECT_EQ(out.find(static_cast<char>(c)), std::string::npos) << c << " at " << pos;
      EXPECT_EQ(out.size(),
                42U + (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t' ? 1U : 5U));
    }
  }
}

TEST(JsonWriterTest, IsPlainJsonTextAgreesWithTheEscaper) {
  // Every byte value at every offset of short and block-sized texts: plain exactly when
  // escaping would copy the text unchanged.
  for (int c = 0; c < 256; ++c) {
    for (const std::size_t size : {1U, 7U, 16U, 23U, 40U}) {
      for (std::size_t pos = 0; pos < size; ++pos) {
        std::string text(size, 'x');
        text[pos] = static_cast<char>(c);
        EXPECT_EQ(IsPlainJsonText(text), Quoted(text) == "\"" + text + "\"")
            << c << " at " << pos << " of " << size;
      }
    }
  }
  EXPECT_TRUE(IsPlainJsonText(""));
  EXPECT_TRUE(IsPlainJsonText("449448587919360008-update-1f0c2b"));
}

TEST(JsonWriterTest, InvalidUtf8BecomesReplacementCharacters) {
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(Quoted("\xff"), "\"" + fffd + "\"");
  EXPECT_EQ(Quoted("a\xc3"), "\"a" + fffd + "\"");           // truncated
  EXPECT_EQ(Quoted("\xc0\xaf"), "\"" + fffd + fffd + "\"");  // overlong '/'
  EXPECT_EQ(Quoted("\xe0\x80\xaf"), "\"" + fffd + fffd + fffd + "\"");
  EXPECT_EQ(Quoted("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\"");             // surrogate
  EXPECT_EQ(Quoted("\xf4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
  EXPECT_EQ(Quoted("\x80x"), "\"" + fffd + "x\"");
  EXPECT_EQ(Quoted("\xf0\x9f\x98"), "\"" + fffd + fffd + fffd + "\"");
}

TEST(JsonWriterTest, AppendsToExistingContent) {
  std::string out = "prefix:";
  AppendJsonString("v", &out);
  EXPECT_EQ(out, R"(prefix:"v")");
}

TEST(JsonWriterTest, WritesNestedStructuresWithCommas) {
  std::string out = "X";
  {
    JsonWriter w(&out);
    w.StartObject();
    w.LiteralKey("a");
    w.Integer(std::int64_t{-9223372036854775807 - 1});
    w.Key("b\"");
    w.StartArray();
    w.Integer(UINT64_MAX);
    w.Null();
    w.Bool(true);
    w.Bool(false);
    w.StartObject();
    w.EndObject();
    w.StartArray();
    w.EndArray();
    w.String("s");
    w.EndArray();
    w.LiteralKey("c");
    w.RawValue(R"({"raw":1})");
    w.LiteralKey("d");
    w.Base64String(std::string("\x00\xff", 2));
    w.LiteralKey("e");
    w.String("after base64");
    w.LiteralKey("f");
    w.LiteralString("2024-01-01T00:00:00.000Z");
    w.EndObject();
  }
  EXPECT_EQ(out,
            R"(X{"a":-9223372036854775808,"b\"":[18446744073709551615,null,true,false,{},[],"s"],)"
            R"("c":{"raw":1},"d":"AP8=","e":"after base64","f":"2024-01-01T00:00:00.000Z"})");
}

TEST(JsonWriterTest, FinishTrimsAndWritingMayContinue) {
  std::string out;
  JsonWriter w(&out);
  w.StartArray();
  w.String("a");
  w.Finish();
  EXPECT_EQ(out, R"(["a")");
  w.String("b");
  w.EndArray();
  w.Finish();
  EXPECT_EQ(out, R"(["a","b"])");
}

TEST(JsonWriterTest, LargeOutputGrowsCorrectly) {
  std::string out;
  std::string expected = "[";
  {
    JsonWriter w(&out);
    w.StartArray();
    for (int i = 0; i < 20000; ++i) {
      w.String("value\n" + std::to_string(i));
      expected += std::string(i == 0 ? "" : ",") + "\"value\\n" + std::to_string(i) + "\"";
    }
    w.EndArray();
  }
  expected += "]";
  EXPECT_TRUE(out == expected);
}

TEST(JsonWriterTest, HugeStringsAreEscapedAcrossChunks) {
  // 3-byte characters and escapes straddle every chunk boundary somewhere.
  std::string text;
  std::string expected = "\"";
  for (int i = 0; i < 20000; ++i) {
    text += i % 7 == 0 ? "\t" : "\xe4\xb8\xad";
    expected += i % 7 == 0 ? "\\t" : "\xe4\xb8\xad";
  }
  expected += "\"";
  EXPECT_TRUE(Quoted(text) == expected);
}

}  // namespace
}  // namespace cdc
