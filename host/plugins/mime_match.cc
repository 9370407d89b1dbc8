#include "plugins/mime_match.h"

#include <fnmatch.h>

#include <algorithm>

namespace archivum::plugins {
namespace {

std::string_view Essence(std::string_view mime) {
  mime = mime.substr(0, mime.find(';'));
  while (!mime.empty() && mime.back() == ' ') mime.remove_suffix(1);
  while (!mime.empty() && mime.front() == ' ') mime.remove_prefix(1);
  return mime;
}

}  // namespace

bool MimeMatches(std::string_view pattern, std::string_view mime) {
  mime = Essence(mime);
  if (pattern == "*" || pattern == "*/*") return true;
  if (mime.empty()) return false;
  // fnmatch needs NUL-terminated strings.
  const std::string p(pattern);
  const std::string m(mime);
  return fnmatch(p.c_str(), m.c_str(), FNM_CASEFOLD) == 0;
}

bool AnyMimeMatches(const std::vector<std::string>& patterns, std::string_view mime) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return MimeMatches(p, mime); });
}

}  // namespace archivum::plugins
