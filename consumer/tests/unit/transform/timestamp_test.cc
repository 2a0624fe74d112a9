#include "transform/timestamp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/change_event.h"

namespace cdc {
namespace {

std::string Format(std::int64_t ms) {
  const auto text = FormatRfc3339Millis(ms);
  return std::string(text.data(), text.size());
}

TEST(TimestampTest, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(Format(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(Format(1), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(Format(1591943372224), "2020-06-12T06:29:32.224Z");
  EXPECT_EQ(Format(951782400000), "2000-02-29T00:00:00.000Z");   // leap day of a /400 year
  EXPECT_EQ(Format(4107542399999), "2100-02-28T23:59:59.999Z");  // 2100 is not a leap year
  EXPECT_EQ(Format(4107542400000), "2100-03-01T00:00:00.000Z");
  EXPECT_EQ(Format(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(Format(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(Format(-62167219200000), "0000-01-01T00:00:00.000Z");
}

TEST(TimestampTest, TheLargestTsoStillFits) {
  EXPECT_EQ(Format(TsoPhysicalMs(UINT64_MAX)), "4199-11-24T01:22:57.663Z");
}

TEST(TimestampTest, OutOfRangeValuesAreClamped) {
  EXPECT_EQ(Format(253402300800000), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(Format(INT64_MAX), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(Format(INT64_MIN), "0000-01-01T00:00:00.000Z");
}

// The formatter reuses the text of the previous second: every value of a sequence that stays in
// one second, steps across seconds (both ways, across zero) and leaves the range must read as
// the plain formatter has it.
TEST(TimestampTest, TheReusingFormatterAgreesWithThePlainOne) {
  std::vector<std::int64_t> times = {1591943372224,
                                     1591943372225,
                                     1591943372999,
                                     1591943373000,
                                     1591943372001,
                                     0,
                                     -1,
                                     -999,
                                     -1000,
                                     -1001,
                                     999,
                                     1000,
                                     253402300799998,
                                     253402300800000,
                                     INT64_MAX,
                                     253402300799001,
                                     INT64_MIN,
                                     -62167219200000,
                                     -62167219199999};
  for (std::int64_t t = 1714510299000; t < 1714510302000; t += 7) times.push_back(t);
  Rfc3339MillisFormatter formatter;
  for (const std::int64_t t : times) {
    EXPECT_EQ(std::string(formatter.Format(t)), Format(t)) << t;
  }
}

}  // namespace
}  // namespace cdc
