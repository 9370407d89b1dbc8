#include "image/exif_values.h"

#include <cmath>
#include <cstdio>

namespace archivum::bundled::image {
namespace {

std::string_view TrimTrailing(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

// The decimal number of `n` digits at s[pos], or -1.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool ValidOffset(std::string_view offset) {
  if (offset.size() != 6 || (offset[0] != '+' && offset[0] != '-') || offset[3] != ':') {
    return false;
  }
  const int hours = Digits(offset, 1, 2);
  const int minutes = Digits(offset, 4, 2);
  return hours >= 0 && hours <= 14 && minutes >= 0 && minutes < 60;
}

}  // namespace

std::optional<std::string> GpsDecimal(const std::vector<Rational>& dms, std::string_view ref,
                                      Axis axis) {
  if (dms.size() != 3) return std::nullopt;
  double parts[3];
  for (size_t i = 0; i < 3; ++i) {
    const auto [num, den] = dms[i];
    if (den <= 0 || num < 0) return std::nullopt;
    parts[i] = static_cast<double>(num) / static_cast<double>(den);
  }
  if (parts[1] >= 60 || parts[2] >= 60) return std::nullopt;
  const double degrees = parts[0] + parts[1] / 60 + parts[2] / 3600;
  const double max = axis == Axis::kLatitude ? 90 : 180;
  if (!(degrees <= max)) return std::nullopt;

  ref = TrimTrailing(ref);
  if (ref.size() != 1) return std::nullopt;
  const char r = static_cast<char>(ref[0] & ~0x20);  // upper case
  bool negative = false;
  if (axis == Axis::kLatitude && (r == 'N' || r == 'S')) {
    negative = r == 'S';
  } else if (axis == Axis::kLongitude && (r == 'E' || r == 'W')) {
    negative = r == 'W';
  } else {
    return std::nullopt;
  }
  char out[32];
  const double rounded = std::round(degrees * 1e6) / 1e6;
  // No "-0.000000": the equator and the prime meridian have no side.
  std::snprintf(out, sizeof out, "%.6f", negative && rounded > 0 ? -rounded : rounded);
  return std::string(out);
}

std::optional<std::string> ExifDateTime(std::string_view value, std::string_view offset) {
  value = TrimTrailing(value);
  // "YYYY:MM:DD HH:MM:SS" is 19 characters; some writers use '-' in the date or 'T' between.
  if (value.size() < 19) return std::nullopt;
  const char date_sep = value[4];
  if ((date_sep != ':' && date_sep != '-') || value[7] != date_sep ||
      (value[10] != ' ' && value[10] != 'T') || value[13] != ':' || value[16] != ':') {
    return std::nullopt;
  }
  const int year = Digits(value, 0, 4);
  const int month = Digits(value, 5, 2);
  const int day = Digits(value, 8, 2);
  const int hour = Digits(value, 11, 2);
  const int minute = Digits(value, 14, 2);
  const int second = Digits(value, 17, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute,
                second);
  std::string result(out);
  offset = TrimTrailing(offset);
  if (ValidOffset(offset)) result += offset;
  return result;
}

}  // namespace archivum::bundled::image
