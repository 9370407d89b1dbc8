#include "query/filter_values.h"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <system_error>

#include "common/ascii.h"
#include "query/syntax_error.h"

namespace archivum::query {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

Status ValueError(const ValueSpan& v, size_t offset, std::string_view expected) {
  return SyntaxError(v.ColumnOf(offset), expected, DescribeAt(v.text, offset, "value"));
}

// A glob must close every '[' so it means what it says (an unclosed class would silently match
// nothing).
Status CheckGlob(const ValueSpan& v) {
  const std::string_view s = v.text;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '[') continue;
    size_t j = i + 1;
    if (j < s.size() && s[j] == '^') ++j;
    if (j < s.size() && s[j] == ']') ++j;  // a leading ']' is a member, not the end
    const size_t close = s.find(']', j);
    if (close == std::string_view::npos) {
      return SyntaxError(v.ColumnOf(i), "']' to close this '['", "end of value");
    }
    i = close;
  }
  return Status::Ok();
}

StatusOr<int64_t> ParseSize(const ValueSpan& v) {
  constexpr char kExpected[] = "a size such as 500, 10k or 1.5M";
  constexpr int kMaxFractionDigits = 6;
  const std::string_view s = v.text;
  size_t i = 0;
  if (i >= s.size() || !IsDigit(s[i])) return ValueError(v, i, kExpected);
  uint64_t whole = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (__builtin_mul_overflow(whole, 10u, &whole) ||
        __builtin_add_overflow(whole, static_cast<uint64_t>(s[i] - '0'), &whole)) {
      return SyntaxError(v.ColumnOf(0), "a size below 8 EiB", QuoteForMessage(s));
    }
  }
  uint64_t fraction = 0;
  uint64_t fraction_scale = 1;
  const size_t dot = i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !IsDigit(s[i])) return ValueError(v, i, "a digit after '.'");
    for (int digits = 0; i < s.size() && IsDigit(s[i]); ++i, ++digits) {
      if (digits == kMaxFractionDigits) return ValueError(v, i, "at most 6 decimal places");
      fraction = fraction * 10 + static_cast<uint64_t>(s[i] - '0');
      fraction_scale *= 10;
    }
  }
  int shift = -1;
  if (i < s.size()) {
    switch (s[i]) {
      case 'k':
      case 'K': shift = 10; break;
      case 'm':
      case 'M': shift = 20; break;
      case 'g':
      case 'G': shift = 30; break;
      case 't':
      case 'T': shift = 40; break;
      case 'b':
      case 'B': shift = 0; break;
      default: return ValueError(v, i, "a unit k, M, G or T");
    }
    ++i;
    if (shift > 0 && i < s.size() && (s[i] == 'b' || s[i] == 'B')) ++i;  // "10kB"
    if (i < s.size()) return ValueError(v, i, "end of size");
  }
  if (fraction_scale > 1 && shift <= 0) {
    return SyntaxError(v.ColumnOf(dot),
                       "a whole number of bytes (a fraction needs a unit, as in 1.5M)", "'.'");
  }
  shift = shift < 0 ? 0 : shift;
  uint64_t bytes = 0;
  if (whole > (std::numeric_limits<uint64_t>::max() >> shift) ||
      __builtin_add_overflow(whole << shift, (fraction << shift) / fraction_scale, &bytes) ||
      bytes > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return SyntaxError(v.ColumnOf(0), "a size below 8 EiB", QuoteForMessage(s));
  }
  return static_cast<int64_t>(bytes);
}

struct Instant {
  int64_t start_ns = 0;
  int64_t period_ns = 0;  // length of the period the text named: a day, a minute or a second
};

// A date or date-time; with `local` (taken: a camera's wall-clock reading) a zone designator
// is refused, since the value compares with local times as written and a 'Z' would suggest a
// conversion that never happens. The result counts the local reading as if it were UTC.
StatusOr<Instant> ParseTime(const ValueSpan& v, bool local) {
  const char* const kShape = local ? "a date like 2024-01-31 or 2024-01-31T12:30[:00]"
                                   : "a date like 2024-01-31 or 2024-01-31T12:30[:00][Z]";
  const std::string_view s = v.text;
  Status bad;
  auto number = [&](size_t at, size_t width, int* out) {
    *out = 0;
    for (size_t k = at; k < at + width; ++k) {
      if (k >= s.size() || !IsDigit(s[k])) {
        bad = ValueError(v, k, kShape);
        return false;
      }
      *out = *out * 10 + (s[k] - '0');
    }
    return true;
  };
  auto separator = [&](size_t at, char c) {
    if (at < s.size() && s[at] == c) return true;
    bad = ValueError(v, at, kShape);
    return false;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!number(0, 4, &year) || !separator(4, '-') || !number(5, 2, &month) || !separator(7, '-') ||
      !number(8, 2, &day)) {
    return bad;
  }
  size_t pos = 10;
  int64_t period_s = 86400;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't')) {
    if (!number(11, 2, &hour) || !separator(13, ':') || !number(14, 2, &minute)) return bad;
    pos = 16;
    period_s = 60;
    if (pos < s.size() && s[pos] == ':') {
      if (!number(17, 2, &second)) return bad;
      pos = 19;
      period_s = 1;
    }
  }
  if (local) {
    if (pos < s.size()) {
      return ValueError(v, pos,
                        period_s == 86400
                            ? "'T' or end of date (taken is the camera's local time, no zone)"
                            : "end of time (taken is the camera's local time, no zone)");
    }
  } else {
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) ++pos;
    if (pos < s.size()) {
      return ValueError(v, pos,
                        period_s == 86400 ? "'T', 'Z' or end of date" : "'Z' or end of time");
    }
  }
  auto range = [&](int value, int lo, int hi, size_t at, std::string_view what) {
    if (value >= lo && value <= hi) return true;
    bad = SyntaxError(v.ColumnOf(at), what, "'" + std::string(s.substr(at, at == 0 ? 4 : 2)) + "'");
    return false;
  };
  if (!range(year, 1678, 2261, 0, "a year from 1678 to 2261") ||
      !range(month, 1, 12, 5, "a month from 01 to 12") ||
      !range(hour, 0, 23, 11, "an hour from 00 to 23") ||
      !range(minute, 0, 59, 14, "a minute from 00 to 59") ||
      !range(second, 0, 59, 17, "a second from 00 to 59")) {
    return bad;
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year{year},
                            std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) {
    return SyntaxError(v.ColumnOf(8), "a day that exists in " + std::string(s.substr(0, 7)),
                       "'" + std::string(s.substr(8, 2)) + "'");
  }
  const int64_t seconds = static_cast<int64_t>(sys_days{date}.time_since_epoch().count()) * 86400 +
                          int64_t{hour} * 3600 + int64_t{minute} * 60 + second;
  constexpr int64_t kNanos = 1'000'000'000;
  return Instant{seconds * kNanos, period_s * kNanos};
}

// A decimal count (pages, pixels); `what` names it in errors ("a page count").
StatusOr<int64_t> ParseCount(const ValueSpan& v, std::string_view what, std::string_view example) {
  int64_t count = 0;
  for (size_t i = 0; i < v.text.size(); ++i) {
    const char c = v.text[i];
    if (!IsDigit(c)) {
      return ValueError(v, i, std::string(what) + " such as " + std::string(example));
    }
    if (__builtin_mul_overflow(count, 10, &count) ||
        __builtin_add_overflow(count, c - '0', &count)) {
      return SyntaxError(v.ColumnOf(0), std::string(what) + " below 2^63", QuoteForMessage(v.text));
    }
  }
  return count;
}

// One decimal number of a near: value at v.text[*pos]: [sign] digits [. digits] (at least one
// digit; no exponent, so no infinity or NaN can be written); leaves *pos after it.
Status ParseDecimal(const ValueSpan& v, size_t* pos, bool signed_value, std::string_view expected,
                    double* out) {
  const std::string_view s = v.text;
  const size_t start = *pos;
  size_t i = start;
  if (signed_value && i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  const size_t digits_start = i;
  size_t digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return ValueError(v, digits_start, expected);
  // from_chars reads no '+'; the number is in the C locale whatever the process's locale is.
  const size_t from = s[start] == '+' ? start + 1 : start;
  const auto [end, ec] = std::from_chars(s.data() + from, s.data() + i, *out);
  if (ec != std::errc() || end != s.data() + i) {
    return SyntaxError(v.ColumnOf(start), expected, QuoteForMessage(s.substr(start, i - start)));
  }
  *pos = i;
  return Status::Ok();
}

// near:LAT,LON,KM with an optional "km" after the radius.
Status ParseNear(const ValueSpan& v, Filter* f) {
  const std::string_view s = v.text;
  size_t pos = 0;
  auto number = [&](bool signed_value, std::string_view expected, double lo, double hi,
                    std::string_view range, double* out) -> Status {
    const size_t start = pos;
    ARCHIVUM_RETURN_IF_ERROR(ParseDecimal(v, &pos, signed_value, expected, out));
    if (!(*out >= lo && *out <= hi)) {
      return SyntaxError(v.ColumnOf(start), range, QuoteForMessage(s.substr(start, pos - start)));
    }
    return Status::Ok();
  };
  auto comma = [&](std::string_view expected) -> Status {
    if (pos < s.size() && s[pos] == ',') {
      ++pos;
      return Status::Ok();
    }
    return ValueError(v, pos, expected);
  };
  ARCHIVUM_RETURN_IF_ERROR(number(true, "a latitude in degrees such as 48.8584 (near:LAT,LON,KM)",
                                  -90, 90, "a latitude from -90 to 90", &f->latitude));
  ARCHIVUM_RETURN_IF_ERROR(comma("',' and the longitude after the latitude (near:LAT,LON,KM)"));
  ARCHIVUM_RETURN_IF_ERROR(number(true, "a longitude in degrees such as 2.2945 (near:LAT,LON,KM)",
                                  -180, 180, "a longitude from -180 to 180", &f->longitude));
  ARCHIVUM_RETURN_IF_ERROR(comma("',' and the radius in km after the longitude (near:LAT,LON,KM)"));
  const size_t radius_start = pos;
  ARCHIVUM_RETURN_IF_ERROR(number(false, "a radius in km such as 5 (near:LAT,LON,KM)", 0,
                                  std::numeric_limits<double>::max(), "a radius above 0 km",
                                  &f->radius_km));
  if (f->radius_km <= 0) {
    return SyntaxError(v.ColumnOf(radius_start), "a radius above 0 km",
                       QuoteForMessage(s.substr(radius_start, pos - radius_start)));
  }
  if (s.size() - pos >= 2 && (s[pos] == 'k' || s[pos] == 'K') &&
      (s[pos + 1] == 'm' || s[pos + 1] == 'M')) {
    pos += 2;
  }
  if (pos < s.size()) return ValueError(v, pos, "end of value after the radius in km");
  return Status::Ok();
}

// A metadata field's word or phrase: a bare value may end in '*' (a prefix, as for free words);
// the words need at least one letter or digit, as free words do.
Status ParseMetadataWords(const ValueSpan& v, Filter* f) {
  std::string_view words = v.text;
  if (!v.quoted) {
    const size_t star = words.find('*');
    if (star != std::string_view::npos) {
      if (star + 1 != words.size()) {
        return ValueError(v, star + 1,
                          "end of value after '*' (a prefix's '*' ends the word; quote a phrase "
                          "to search for '*')");
      }
      words.remove_suffix(1);
      f->prefix = true;
      if (words.empty()) return ValueError(v, 0, "at least one character before '*'");
    }
  }
  if (!HasWordCharacter(words)) {
    return SyntaxError(v.column, "a value with letters or digits", QuoteForMessage(v.text));
  }
  f->text = std::string(words);
  return Status::Ok();
}

Status ParseSha256(const ValueSpan& v, std::string* out) {
  for (size_t i = 0; i < v.text.size(); ++i) {
    const char c = v.text[i];
    const bool hex = IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return ValueError(v, i, "a hexadecimal digit");
  }
  if (v.text.size() != 64) {
    return SyntaxError(v.ColumnOf(0), "64 hexadecimal digits",
                       std::to_string(v.text.size()) + " digits");
  }
  *out = AsciiLower(v.text);
  return Status::Ok();
}

}  // namespace

bool HasWordCharacter(std::string_view text) {
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x80 || IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  }
  return false;
}

std::optional<Field> LookupField(std::string_view name) {
  const std::string lower = AsciiLower(name);
  for (Field f : kAllFields) {
    if (lower == FieldName(f)) return f;
  }
  return std::nullopt;
}

bool IsComparable(Field field) {
  return field == Field::kSize || field == Field::kModified || field == Field::kPages ||
         field == Field::kCreated || field == Field::kTaken || field == Field::kWidth ||
         field == Field::kHeight;
}

StatusOr<Filter> ParseFilterValue(Field field, Comparison op, const ValueSpan& v) {
  Filter f;
  f.field = field;
  f.op = op;
  const std::string_view s = v.text;
  // ext:"" (quoted) is the one empty value: documents without an extension.
  if (s.empty() && field != Field::kDup && !(field == Field::kExt && v.quoted)) {
    return SyntaxError(v.column, "a value for " + std::string(FieldName(field)),
                       v.quoted ? "an empty string" : DescribeAt(s, 0, "value"));
  }
  switch (field) {
    case Field::kMime:
      ARCHIVUM_RETURN_IF_ERROR(CheckGlob(v));
      f.text = AsciiLower(s);
      break;
    case Field::kName:
      if (const size_t slash = s.find('/'); slash != std::string_view::npos) {
        return ValueError(v, slash, "a file name pattern without '/' (use path: for directories)");
      }
      ARCHIVUM_RETURN_IF_ERROR(CheckGlob(v));
      f.text = AsciiLower(s);
      break;
    case Field::kExt: {
      if (s.empty()) break;
      const size_t start = s[0] == '.' ? 1 : 0;
      if (start == s.size()) return ValueError(v, start, "an extension after '.'");
      if (const size_t bad = s.find_first_of("/.*?[", start); bad != std::string_view::npos) {
        return ValueError(v, bad, "an extension such as pdf (for patterns use name:*.pdf)");
      }
      f.text = AsciiLower(s.substr(start));
      break;
    }
    case Field::kPath: {
      if (s[0] != '/') return ValueError(v, 0, "an absolute path starting with '/'");
      size_t end = s.size();
      while (end > 1 && s[end - 1] == '/') --end;
      f.text = std::string(s.substr(0, end));
      break;
    }
    case Field::kSize: {
      auto bytes = ParseSize(v);
      if (!bytes.ok()) return bytes.status();
      f.number = *bytes;
      break;
    }
    case Field::kModified: {
      auto instant = ParseTime(v, /*local=*/false);
      if (!instant.ok()) return instant.status();
      f.number = instant->start_ns;
      f.number_end = instant->start_ns + instant->period_ns;
      break;
    }
    case Field::kSha256: ARCHIVUM_RETURN_IF_ERROR(ParseSha256(v, &f.text)); break;
    case Field::kTitle:
    case Field::kAuthor:
    case Field::kSubject:
    case Field::kFrom:
    case Field::kTo:
    case Field::kLang:
    case Field::kCamera: ARCHIVUM_RETURN_IF_ERROR(ParseMetadataWords(v, &f)); break;
    case Field::kPages: {
      auto pages = ParseCount(v, "a page count", "10");
      if (!pages.ok()) return pages.status();
      f.number = *pages;
      break;
    }
    case Field::kWidth:
    case Field::kHeight: {
      auto pixels =
          ParseCount(v, field == Field::kWidth ? "a width in pixels" : "a height in pixels",
                     field == Field::kWidth ? "1920" : "1080");
      if (!pixels.ok()) return pixels.status();
      f.number = *pixels;
      break;
    }
    case Field::kCreated:
    case Field::kTaken: {
      auto instant = ParseTime(v, /*local=*/field == Field::kTaken);
      if (!instant.ok()) return instant.status();
      f.number = instant->start_ns;
      f.number_end = instant->start_ns + instant->period_ns;
      break;
    }
    case Field::kNear: ARCHIVUM_RETURN_IF_ERROR(ParseNear(v, &f)); break;
    case Field::kDup: {
      const std::string lower = AsciiLower(s);
      if (!lower.empty() && lower != "true" && lower != "yes") {
        return SyntaxError(v.column, "nothing, 'true' or 'yes' after dup: (exclude with -dup:)",
                           QuoteForMessage(s));
      }
      break;
    }
  }
  return f;
}

}  // namespace archivum::query
