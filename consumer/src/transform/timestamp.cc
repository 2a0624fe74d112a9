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

void PutDigits(std::uint64_t value, int width, char* out) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::array<char, kRfc3339MillisLength> FormatRfc3339Millis(std::int64_t ms) {
  if (ms < kMinMs) ms = kMinMs;
  if (ms > kMaxMs) ms = kMaxMs;
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
  PutDigits(static_cast<std::uint64_t>(date.year), 4, buf);
  PutDigits(date.month, 2, buf + 5);
  PutDigits(date.day, 2, buf + 8);
  PutDigits(ms_of_day / 3600000, 2, buf + 11);
  PutDigits(ms_of_day / 60000 % 60, 2, buf + 14);
  PutDigits(ms_of_day / 1000 % 60, 2, buf + 17);
  PutDigits(ms_of_day % 1000, 3, buf + 20);
  return out;
}

}  // namespace cdc
