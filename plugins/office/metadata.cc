#include "office/metadata.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "common/utf8.h"

namespace archivum::bundled::office {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `n` digits at `pos` into `out`.
bool Digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!IsDigit(s[pos + i])) return false;
    v = v * 10 + (s[pos + i] - '0');
  }
  out = v;
  pos += n;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::string Clean(std::string_view value) {
  return OneLine(value, kMaxValueBytes);
}

std::optional<std::string> NormalizeTime(std::string_view value) {
  using namespace std::chrono;
  while (!value.empty() && IsSpace(value.front())) value.remove_prefix(1);
  while (!value.empty() && IsSpace(value.back())) value.remove_suffix(1);
  size_t pos = 0;
  int y = 0, mo = 0, d = 0;
  if (!Digits(value, pos, 4, y) || !Expect(value, pos, '-') || !Digits(value, pos, 2, mo) ||
      !Expect(value, pos, '-') || !Digits(value, pos, 2, d)) {
    return std::nullopt;
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  char buffer[32];
  if (pos == value.size()) {
    std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02d", y, mo, d);
    return std::string(buffer);
  }
  if (value[pos] != 'T' && value[pos] != ' ') return std::nullopt;
  ++pos;
  int h = 0, mi = 0, s = 0;
  if (!Digits(value, pos, 2, h) || !Expect(value, pos, ':') || !Digits(value, pos, 2, mi)) {
    return std::nullopt;
  }
  if (pos < value.size() && value[pos] == ':') {
    ++pos;
    if (!Digits(value, pos, 2, s)) return std::nullopt;
    if (pos < value.size() && (value[pos] == '.' || value[pos] == ',')) {
      ++pos;
      const size_t start = pos;
      while (pos < value.size() && IsDigit(value[pos])) ++pos;
      if (pos == start) return std::nullopt;
    }
  }
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  s = std::min(s, 59);  // a leap second reads as the second before it
  int offset_minutes = 0;
  if (pos < value.size()) {
    const char sign = value[pos++];
    if (sign == 'Z') {
      if (pos != value.size()) return std::nullopt;
    } else if (sign == '+' || sign == '-') {
      int oh = 0, om = 0;
      if (!Digits(value, pos, 2, oh)) return std::nullopt;
      if (pos < value.size() && value[pos] == ':') ++pos;
      if (!Digits(value, pos, 2, om) || pos != value.size() || oh > 23 || om > 59) {
        return std::nullopt;
      }
      offset_minutes = (oh * 60 + om) * (sign == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  const sys_seconds local = sys_days(date) + hours(h) + minutes(mi) + seconds(s);
  const sys_seconds utc = local - minutes(offset_minutes);
  const sys_days utc_day = floor<days>(utc);
  const year_month_day ymd(utc_day);
  const hh_mm_ss<seconds> time(utc - utc_day);
  const int year_value = static_cast<int>(ymd.year());
  if (year_value < 0 || year_value > 9999) return std::nullopt;
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02uT%02d:%02d:%02dZ", year_value,
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return std::string(buffer);
}

void Metadata::AddAuthor(std::string_view name) {
  std::string clean = Clean(name);
  if (clean.empty() || std::find(authors.begin(), authors.end(), clean) != authors.end()) return;
  authors.push_back(std::move(clean));
}

void Metadata::AddSubject(std::string_view subject) {
  std::string clean = Clean(subject);
  if (clean.empty() || std::find(subjects.begin(), subjects.end(), clean) != subjects.end()) {
    return;
  }
  subjects.push_back(std::move(clean));
}

void Metadata::SetOnce(std::string& field, std::string_view value) {
  if (field.empty()) field = Clean(value);
}

void Metadata::SetTimeOnce(std::string& field, std::string_view value) {
  if (!field.empty()) return;
  if (std::optional<std::string> time = NormalizeTime(value)) field = std::move(*time);
}

void Metadata::SetLanguageOnce(std::string& field, std::string_view value) {
  if (!field.empty()) return;
  const std::string tag = Clean(value);
  if (tag.empty() || tag.size() > 35) return;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(tag.front())) return;
  for (const char c : tag) {
    if (!alpha(c) && !IsDigit(c) && c != '-') return;
  }
  field = tag;
}

void Metadata::SetCountOnce(std::optional<uint64_t>& field, std::string_view value) {
  if (field.has_value()) return;
  const std::string clean = Clean(value);
  if (clean.empty() || clean.size() > 18) return;
  uint64_t v = 0;
  for (const char c : clean) {
    if (!IsDigit(c)) return;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  field = v;
}

std::vector<std::pair<std::string, std::string>> Metadata::Findings() const {
  std::vector<std::pair<std::string, std::string>> out;
  const auto add = [&out](std::string_view key, const std::string& value) {
    if (!value.empty()) out.emplace_back(key, value);
  };
  add("title", title);
  for (const std::string& a : authors) add("author", a);
  if (!subjects.empty()) {
    for (const std::string& s : subjects) add("subject", s);
  } else {
    add("subject", description);
  }
  add("keywords", keywords);
  add("created", created);
  add("modified", modified);
  add("language", language);
  add("creator", creator);
  if (pages) add("pages", std::to_string(*pages));
  if (sheets) add("sheets", std::to_string(*sheets));
  if (slides) add("slides", std::to_string(*slides));
  return out;
}

}  // namespace archivum::bundled::office
