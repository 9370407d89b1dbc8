#include "pdf/pdf_date.h"

#include <chrono>
#include <cstdio>

#include "pdf/pdf_strings.h"

namespace archivum::bundled::pdf {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// The two-digit number at s[at], or -1 if there is none.
int TwoDigits(std::string_view s, size_t at) {
  if (at + 2 > s.size() || !IsDigit(s[at]) || !IsDigit(s[at + 1])) return -1;
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

// The offset from UTC in minutes stated by `zone` (what follows the time): "", "Z", "Z00'00'",
// "+HH", "+HH'", "+HH'mm", "+HH'mm'", "+HHmm" and the same with '-'. nullopt if malformed.
std::optional<int> ZoneOffsetMinutes(std::string_view zone) {
  if (zone.empty()) return 0;
  const char sign = zone[0];
  if (sign != 'Z' && sign != '+' && sign != '-') return std::nullopt;
  zone.remove_prefix(1);
  if (zone.empty()) return sign == 'Z' ? std::optional<int>(0) : std::nullopt;
  const int hours = TwoDigits(zone, 0);
  if (hours < 0 || hours > 23) return std::nullopt;
  zone.remove_prefix(2);
  if (!zone.empty() && zone[0] == '\'') zone.remove_prefix(1);
  int minutes = 0;
  if (!zone.empty()) {
    minutes = TwoDigits(zone, 0);
    if (minutes < 0 || minutes > 59) return std::nullopt;
    zone.remove_prefix(2);
    if (!zone.empty() && zone[0] == '\'') zone.remove_prefix(1);
  }
  if (!zone.empty()) return std::nullopt;
  const int total = hours * 60 + minutes;
  if (sign == 'Z') return total == 0 ? std::optional<int>(0) : std::nullopt;
  return sign == '-' ? -total : total;
}

}  // namespace

std::optional<std::string> NormalizePdfDate(std::string_view raw) {
  std::string_view s = TrimSpace(raw);
  if (s.starts_with("D:")) s.remove_prefix(2);
  size_t digits = 0;
  while (digits < s.size() && IsDigit(s[digits])) ++digits;
  if (digits != 8 && digits != 10 && digits != 12 && digits != 14) return std::nullopt;

  const int year = TwoDigits(s, 0) * 100 + TwoDigits(s, 2);
  const std::chrono::year_month_day day{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(TwoDigits(s, 4))),
                                        std::chrono::day(static_cast<unsigned>(TwoDigits(s, 6)))};
  if (!day.ok()) return std::nullopt;
  char out[32];
  if (digits == 8) {
    // Only the day is known: no time to shift by the zone, which is therefore not checked.
    std::snprintf(out, sizeof(out), "%04d-%02u-%02u", year, static_cast<unsigned>(day.month()),
                  static_cast<unsigned>(day.day()));
    return std::string(out);
  }
  const int hour = TwoDigits(s, 8);
  const int minute = digits >= 12 ? TwoDigits(s, 10) : 0;
  const int second = digits >= 14 ? TwoDigits(s, 12) : 0;
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const std::optional<int> offset = ZoneOffsetMinutes(s.substr(digits));
  if (!offset) return std::nullopt;

  using std::chrono::minutes;
  using std::chrono::seconds;
  const auto local =
      std::chrono::sys_days(day) + std::chrono::hours(hour) + minutes(minute) + seconds(second);
  const auto utc = local - minutes(*offset);
  const auto utc_day = std::chrono::floor<std::chrono::days>(utc);
  const std::chrono::year_month_day ymd(utc_day);
  const std::chrono::hh_mm_ss<seconds> time(utc - utc_day);
  const int utc_year = static_cast<int>(ymd.year());
  if (utc_year < 0 || utc_year > 9999) return std::nullopt;
  std::snprintf(out, sizeof(out), "%04d-%02u-%02uT%02d:%02d:%02dZ", utc_year,
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return std::string(out);
}

}  // namespace archivum::bundled::pdf
