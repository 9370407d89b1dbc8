#include "plugins/mime_match.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstring>

#include "common/ascii.h"

namespace archivum::plugins {
namespace {

std::string_view Essence(std::string_view mime) {
  mime = mime.substr(0, mime.find(';'));
  while (!mime.empty() && mime.back() == ' ') mime.remove_suffix(1);
  while (!mime.empty() && mime.front() == ' ') mime.remove_prefix(1);
  return mime;
}

// fnmatch() with FNM_CASEFOLD in the C locale, for the patterns the fast path does not handle.
// Copies into stack buffers when they fit (MIME types are at most 255 bytes by RFC 6838 and the
// sink's limit), so routing does not allocate.
bool FnMatch(std::string_view pattern, std::string_view mime) {
  char p[256];
  char m[256];
  if (pattern.size() < sizeof p && mime.size() < sizeof m) {
    std::memcpy(p, pattern.data(), pattern.size());
    p[pattern.size()] = '\0';
    std::memcpy(m, mime.data(), mime.size());
    m[mime.size()] = '\0';
    return fnmatch(p, m, FNM_CASEFOLD) == 0;
  }
  const std::string long_p(pattern);
  const std::string long_m(mime);
  return fnmatch(long_p.c_str(), long_m.c_str(), FNM_CASEFOLD) == 0;
}

}  // namespace

bool MimeMatches(std::string_view pattern, std::string_view mime) {
  if (pattern == "*" || pattern == "*/*") return true;
  mime = Essence(mime);
  if (mime.empty()) return false;
  // Routing runs for every plugin and file, so the shapes patterns take in practice are matched
  // here directly: a literal ("application/pdf") or one '*' ("text/*", "*/xml",
  // "application/*+xml"). Without FNM_PATHNAME or FNM_PERIOD, fnmatch's '*' matches any run of
  // characters, '/' and '.' included, which is exactly prefix + suffix. Anything else ('?',
  // brackets, escapes, several stars) goes to fnmatch itself.
  const size_t special = pattern.find_first_of("*?[\\");
  if (special == std::string_view::npos) return EqualsIgnoreAsciiCase(pattern, mime);
  if (pattern[special] == '*' && pattern.find_first_of("*?[\\", special + 1) == pattern.npos) {
    const std::string_view prefix = pattern.substr(0, special);
    const std::string_view suffix = pattern.substr(special + 1);
    return mime.size() >= prefix.size() + suffix.size() &&
           EqualsIgnoreAsciiCase(prefix, mime.substr(0, prefix.size())) &&
           EqualsIgnoreAsciiCase(suffix, mime.substr(mime.size() - suffix.size()));
  }
  return FnMatch(pattern, mime);
}

bool AnyMimeMatches(const std::vector<std::string>& patterns, std::string_view mime) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return MimeMatches(p, mime); });
}

}  // namespace archivum::plugins
