#include "api/http/download_head.h"

#include "common/ascii.h"

namespace archivum::api::gateway {
namespace {

constexpr char kOctetStream[] = "application/octet-stream";

// RFC 9110 tchar.
bool IsTokenChar(char c) {
  if (AsciiIsAlnum(c)) return true;
  for (char t : std::string_view("!#$%&'*+-.^_`|~")) {
    if (c == t) return true;
  }
  return false;
}

// RFC 8187 attr-char.
bool IsAttrChar(char c) {
  if (AsciiIsAlnum(c)) return true;
  for (char t : std::string_view("!#$&+-.^_`|~")) {
    if (c == t) return true;
  }
  return false;
}

}  // namespace

std::string DownloadMediaType(std::string_view mime) {
  if (const size_t semicolon = mime.find(';'); semicolon != std::string_view::npos) {
    mime = mime.substr(0, semicolon);
  }
  while (!mime.empty() && AsciiIsSpace(mime.back())) mime.remove_suffix(1);
  while (!mime.empty() && AsciiIsSpace(mime.front())) mime.remove_prefix(1);
  const size_t slash = mime.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == mime.size()) {
    return kOctetStream;
  }
  std::string type;
  type.reserve(mime.size());
  for (size_t i = 0; i < mime.size(); ++i) {
    if (i != slash && !IsTokenChar(mime[i])) return kOctetStream;
    type.push_back(AsciiLower(mime[i]));
  }
  const std::string_view t = type;
  const std::string_view major = t.substr(0, slash);
  if (major == "multipart" || t.find("html") != std::string_view::npos ||
      t.find("xml") != std::string_view::npos || t.find("svg") != std::string_view::npos ||
      t.find("javascript") != std::string_view::npos ||
      t.find("ecmascript") != std::string_view::npos || t == "text/xsl" ||
      t == "application/octet-stream") {
    return kOctetStream;
  }
  return type;
}

std::string ContentDisposition(std::string_view path) {
  std::string_view name = path;
  if (const size_t slash = name.rfind('/'); slash != std::string_view::npos) {
    name = name.substr(slash + 1);
  }
  if (name.empty()) name = "download";
  std::string out = "attachment; filename=\"";
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u >= 0x7f || c == '"' || c == '\\' || c == '%' ? '_' : c);
  }
  out += "\"; filename*=UTF-8''";
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : name) {
    if (IsAttrChar(c)) {
      out.push_back(c);
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    out.push_back('%');
    out.push_back(kHex[u >> 4]);
    out.push_back(kHex[u & 0xf]);
  }
  return out;
}

}  // namespace archivum::api::gateway
