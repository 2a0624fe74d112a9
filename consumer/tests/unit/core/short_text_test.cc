#include "core/short_text.h"

#include <string>

#include <gtest/gtest.h>

namespace cdc {
namespace {

// Every length through the word-compare paths (under 4, 4-7, exactly 8, several words plus an
// overlapping last word), with a difference at every position: each must be seen, whichever
// load covers it. The texts sit at odd offsets in larger buffers, so no load is aligned.
TEST(SameShortTextTest, FindsADifferenceAtEveryPositionOfEveryLength) {
  for (std::size_t n = 0; n <= 40; ++n) {
    const std::string base = "#" + std::string(n, 'a') + "#";
    const std::string_view a(base.data() + 1, n);
    std::string same = "##" + std::string(n, 'a');
    EXPECT_TRUE(SameShortText(a, std::string_view(same.data() + 2, n))) << n;
    for (std::size_t pos = 0; pos < n; ++pos) {
      std::string other = "##" + std::string(n, 'a');
      other[2 + pos] = 'b';
      EXPECT_FALSE(SameShortText(a, std::string_view(other.data() + 2, n)))
          << "length " << n << " difference at " << pos;
    }
  }
}

TEST(SameShortTextTest, TextsOfDifferentLengthsDiffer) {
  EXPECT_FALSE(SameShortText("id", "id "));
  EXPECT_FALSE(SameShortText("", "a"));
  EXPECT_FALSE(SameShortText("password_hash", "password"));
  EXPECT_TRUE(SameShortText("", ""));
  EXPECT_TRUE(SameShortText("created_at", "created_at"));
}

// Every length through each copy path (one byte, two words of 2, 4, 8 and 16 bytes, memcpy),
// at an odd source offset: the bytes land exactly, and the guard bytes around the destination
// (ASan would also flag a read or write outside either range) stay as they were.
TEST(CopyShortTextTest, CopiesEveryLengthExactlyAndNothingAround) {
  for (std::size_t n = 0; n <= 70; ++n) {
    std::string source = "#";
    for (std::size_t i = 0; i < n; ++i) source += static_cast<char>('A' + i % 26);
    const std::string_view text(source.data() + 1, n);
    std::string dst(n + 16, '.');
    CopyShortText(dst.data() + 8, text);
    EXPECT_EQ(dst, std::string(8, '.') + std::string(text) + std::string(8, '.')) << n;
  }
}

}  // namespace
}  // namespace cdc
