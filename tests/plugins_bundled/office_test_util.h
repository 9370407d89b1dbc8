// Helpers shared by the office plugin's tests (office_*_test.cc).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "office/office_extractor.h"

namespace archivum::bundled::office::testing {

inline constexpr char kDocxMime[] =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
inline constexpr char kXlsxMime[] =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
inline constexpr char kPptxMime[] =
    "application/vnd.openxmlformats-officedocument.presentationml.presentation";
inline constexpr char kOdtMime[] = "application/vnd.oasis.opendocument.text";
inline constexpr char kOdsMime[] = "application/vnd.oasis.opendocument.spreadsheet";
inline constexpr char kOdpMime[] = "application/vnd.oasis.opendocument.presentation";
inline constexpr char kEpubMime[] = "application/epub+zip";

using Findings = std::vector<std::pair<std::string, std::string>>;

// Extract without cancellation.
inline Document Read(std::string_view bytes, std::string_view mime, const Options& options = {}) {
  return Extract(bytes, mime, options, [] { return false; });
}

// The code and message Extract fails with; ARCHIVUM_OK and "" if it succeeds.
struct Failure {
  archivum_rc code = ARCHIVUM_OK;
  std::string message;
};
inline Failure ReadFailure(std::string_view bytes, std::string_view mime,
                           const Options& options = {}) {
  try {
    Read(bytes, mime, options);
  } catch (const sdk::Error& e) {
    return {e.code(), e.what()};
  }
  return {};
}

// Every value of `key`, in order.
inline std::vector<std::string> Values(const Document& doc, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& [k, v] : doc.findings) {
    if (k == key) out.push_back(v);
  }
  return out;
}

}  // namespace archivum::bundled::office::testing
