#include "mail/child_names.h"

#include <algorithm>
#include <array>
#include <utility>

#include "common/utf8.h"

namespace archivum::bundled::mail {
namespace {

// The types whose extension is obvious; the rest get none.
constexpr std::array<std::pair<std::string_view, std::string_view>, 42> kExtensions{{
    {"application/gzip", ".gz"},
    {"application/json", ".json"},
    {"application/msword", ".doc"},
    {"application/pdf", ".pdf"},
    {"application/pgp-keys", ".asc"},
    {"application/pgp-signature", ".asc"},
    {"application/pkcs7-mime", ".p7m"},
    {"application/pkcs7-signature", ".p7s"},
    {"application/rtf", ".rtf"},
    {"application/vnd.ms-excel", ".xls"},
    {"application/vnd.ms-powerpoint", ".ppt"},
    {"application/vnd.oasis.opendocument.presentation", ".odp"},
    {"application/vnd.oasis.opendocument.spreadsheet", ".ods"},
    {"application/vnd.oasis.opendocument.text", ".odt"},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
    {"application/x-7z-compressed", ".7z"},
    {"application/x-pkcs7-mime", ".p7m"},
    {"application/x-pkcs7-signature", ".p7s"},
    {"application/x-tar", ".tar"},
    {"application/xml", ".xml"},
    {"application/zip", ".zip"},
    {"audio/mpeg", ".mp3"},
    {"audio/ogg", ".ogg"},
    {"image/bmp", ".bmp"},
    {"image/gif", ".gif"},
    {"image/jpeg", ".jpg"},
    {"image/png", ".png"},
    {"image/svg+xml", ".svg"},
    {"image/tiff", ".tif"},
    {"image/webp", ".webp"},
    {"message/delivery-status", ".txt"},
    {"message/disposition-notification", ".txt"},
    {"text/calendar", ".ics"},
    {"text/csv", ".csv"},
    {"text/html", ".html"},
    {"text/plain", ".txt"},
    {"text/rfc822-headers", ".txt"},
    {"text/vcard", ".vcf"},
    {"text/x-vcard", ".vcf"},
    {"video/mp4", ".mp4"},
}};
static_assert(std::is_sorted(kExtensions.begin(), kExtensions.end()), "ExtensionFor searches it");

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// `name` as one path component of valid UTF-8, cut to at most ChildNamer::kMaxNameBytes.
std::string Component(std::string_view name) {
  std::string out = SanitizeUtf8(name);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || c == '/' || c == '\\') c = '_';
  }
  const size_t first = out.find_first_not_of(' ');
  const size_t last = out.find_last_not_of(' ');
  out = first == std::string::npos ? std::string() : out.substr(first, last - first + 1);
  if (out.size() > ChildNamer::kMaxNameBytes) {
    out.resize(Utf8Boundary(out, ChildNamer::kMaxNameBytes));
  }
  if (out.find_first_not_of(". ") == std::string::npos) out.clear();  // "", ".", "..", ...
  return out;
}

}  // namespace

bool IsMessageType(std::string_view mime_type) {
  for (std::string_view type :
       {"message/rfc822", "message/rfc2822", "message/global", "message/news"}) {
    if (mime_type.size() == type.size() &&
        std::equal(type.begin(), type.end(), mime_type.begin(), [](char a, char b) {
          return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
        })) {
      return true;
    }
  }
  return false;
}

std::string ExtensionFor(std::string_view mime_type) {
  const std::string key = Lower(mime_type);
  if (IsMessageType(key)) return ".eml";
  const auto it = std::lower_bound(
      kExtensions.begin(), kExtensions.end(), key,
      [](const auto& entry, const std::string& k) { return entry.first < std::string_view(k); });
  return it != kExtensions.end() && it->first == key ? std::string(it->second) : std::string();
}

std::string ChildNamer::Next(std::string_view filename, std::string_view mime_type) {
  const size_t n = ++count_;
  std::string name = Component(filename);
  if (name.empty()) {
    const bool message = IsMessageType(Lower(mime_type));
    name = (message ? "message-" : "part-") + std::to_string(n) + ExtensionFor(mime_type);
  }
  if (used_.insert(name).second) return name;
  // "report.pdf" -> "report-2.pdf"; the extension is what follows the last dot, if any.
  const size_t dot = name.rfind('.');
  const bool has_extension = dot != std::string::npos && dot > 0;
  const std::string stem = has_extension ? name.substr(0, dot) : name;
  const std::string extension = has_extension ? name.substr(dot) : std::string();
  for (size_t k = 2;; ++k) {
    std::string candidate = stem + "-" + std::to_string(k) + extension;
    if (used_.insert(candidate).second) return candidate;
  }
}

}  // namespace archivum::bundled::mail
