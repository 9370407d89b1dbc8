#include "archive/member_info.h"

#include <array>
#include <cstdio>
#include <ctime>

#include "common/utf8.h"

namespace archivum::bundled::archives {
namespace {

bool EndsWithIgnoringCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  const std::string_view tail = s.substr(s.size() - suffix.size());
  for (size_t i = 0; i < suffix.size(); ++i) {
    char c = tail[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != suffix[i]) return false;
  }
  return true;
}

struct Rename {
  std::string_view suffix;       // lower case, with the dot
  std::string_view replacement;  // what takes its place
};

// Longer suffixes first where one ends another (".tbz2" before ".bz2").
constexpr std::array<Rename, 17> kRenames = {{
    {".tgz", ".tar"},
    {".taz", ".tar"},
    {".tbz2", ".tar"},
    {".tbz", ".tar"},
    {".tb2", ".tar"},
    {".txz", ".tar"},
    {".tlz", ".tar"},
    {".tzst", ".tar"},
    {".gz", ""},
    {".bz2", ""},
    {".xz", ""},
    {".lzma", ""},
    {".lz4", ""},
    {".lz", ""},
    {".zst", ""},
    {".z", ""},
    {".gzip", ""},
}};

}  // namespace

std::string SingleFileMemberName(std::string_view display_name) {
  const size_t slash = display_name.rfind('/');
  std::string_view base =
      slash == std::string_view::npos ? display_name : display_name.substr(slash + 1);
  std::string name(base);
  for (const Rename& r : kRenames) {
    if (EndsWithIgnoringCase(base, r.suffix) && base.size() > r.suffix.size()) {
      name = std::string(base.substr(0, base.size() - r.suffix.size()));
      name += r.replacement;
      break;
    }
  }
  if (name.empty()) return "data";
  return SanitizeUtf8(name);
}

std::optional<std::string> FormatUtcTime(int64_t seconds) {
  // 0000-01-01 and 9999-12-31T23:59:59, so that gmtime_r never sees a year it cannot hold.
  constexpr int64_t kMin = -62167219200;
  constexpr int64_t kMax = 253402300799;
  if (seconds < kMin || seconds > kMax) return std::nullopt;
  const time_t t = static_cast<time_t>(seconds);
  tm utc{};
  if (gmtime_r(&t, &utc) == nullptr) return std::nullopt;
  std::array<char, 32> buffer{};
  const int n = std::snprintf(buffer.data(), buffer.size(), "%04d-%02d-%02dT%02d:%02d:%02dZ",
                              utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                              utc.tm_min, utc.tm_sec);
  if (n <= 0 || static_cast<size_t>(n) >= buffer.size()) return std::nullopt;
  return std::string(buffer.data(), static_cast<size_t>(n));
}

}  // namespace archivum::bundled::archives
