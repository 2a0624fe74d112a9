#include "transform/timestamp.h"

namespace cdc {
namespace {

constexpr std::int64_t kMinMs = -62167219200000;  // 0000-01-01T00:00:00.000Z
constexpr std::int64_t kMaxMs = 253402300799999;  // 9999-12-31T23:59:59.999Z
constexpr std::int64_t kMsPerDay = 86400000;

struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
CivilDate CivilFromDays(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

// "00" .. "99": two digits per lookup instead of a division per digit (this runs per document).
constexpr std::array<char, 200> kDigitPairs = [] {
  std::array<char, 200> pairs{};
  for (std::size_t i = 0; i < 100; ++i) {
    pairs[2 * i] = static_cast<char>('0' + i / 10);
    pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return pairs;
}();

void Put2(std::uint64_t value, char* out) {
  out[0] = kDigitPairs[2 * value];
  out[1] = kDigitPairs[2 * value + 1];
}

std::int64_t Clamp(std::int64_t ms) { return ms < kMinMs ? kMinMs : ms > kMaxMs ? kMaxMs : ms; }

}  // namespace

std::array<char, kRfc3339MillisLength> FormatRfc3339Millis(std::int64_t ms) {
  ms = Clamp(ms);
  std::int64_t days = ms / kMsPerDay;
  std::int64_t in_day = ms % kMsPerDay;
  if (in_day < 0) {
    in_day += kMsPerDay;
    --days;
  }
  const CivilDate date = CivilFromDays(days);
  const auto ms_of_day = static_cast<std::uint64_t>(in_day);
  std::array<char, kRfc3339MillisLength> out = {'0', '0', '0', '0', '-', '0', '0', '-',
                                                '0', '0', 'T', '0', '0', ':', '0', '0',
                                                ':', '0', '0', '.', '0', '0', '0', 'Z'};
  char* buf = out.data();
  const auto year = static_cast<std::uint64_t>(date.year);
  Put2(year / 100, buf);
  Put2(year % 100, buf + 2);
  Put2(date.month, buf + 5);
  Put2(date.day, buf + 8);
  Put2(ms_of_day / 3600000, buf + 11);
  Put2(ms_of_day / 60000 % 60, buf + 14);
  Put2(ms_of_day / 1000 % 60, buf + 17);
  buf[20] = static_cast<char>('0' + ms_of_day % 1000 / 100);
  Put2(ms_of_day % 100, buf + 21);
  return out;
}

std::string_view Rfc3339MillisFormatter::Format(std::int64_t ms) {
  ms = Clamp(ms);
  std::int64_t second = ms / 1000;
  auto millis = static_cast<std::uint64_t>(ms % 1000);
  if (ms < 0 && millis != 0) {
    --second;
    millis = static_cast<std::uint64_t>(ms - second * 1000);
  }
  if (second != second_) {
    text_ = FormatRfc3339Millis(ms);
    second_ = second;
  } else {
    text_[20] = static_cast<char>('0' + millis / 100);
    Put2(millis % 100, text_.data() + 21);
  }
  return {text_.data(), text_.size()};
}

}  // namespace cdc
