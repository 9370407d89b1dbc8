#include "ocr/ocr_options.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <thread>

#include "archivum/plugin.hpp"
#include "common/config.h"

namespace archivum::bundled::ocr {
namespace {

[[noreturn]] void Invalid(const std::string& message) {
  throw sdk::Error(ARCHIVUM_INVALID_ARGUMENT, "config: " + message);
}

// A tesseract language name: letters, digits, '_' and '-', optionally under a subdirectory of
// tessdata ("script/Latin"). Never a path that leaves the directory.
bool ValidLanguage(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/') return false;
  if (name.find("//") != std::string_view::npos) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// The languages of the configuration: each entry may itself join several with '+'.
std::vector<std::string> SplitLanguages(const std::vector<std::string>& entries) {
  std::vector<std::string> languages;
  for (const std::string& entry : entries) {
    size_t start = 0;
    while (true) {
      const size_t plus = std::min(entry.find('+', start), entry.size());
      std::string name = entry.substr(start, plus - start);
      if (!ValidLanguage(name)) {
        Invalid("\"languages\": \"" + name +
                "\" is not a tesseract language name (letters, digits, '_', '-', e.g. \"eng\")");
      }
      if (std::find(languages.begin(), languages.end(), name) == languages.end()) {
        languages.push_back(std::move(name));
      }
      if (plus == entry.size()) break;
      start = plus + 1;
    }
  }
  if (languages.size() > 16) Invalid("\"languages\": at most 16 languages");
  return languages;
}

// Debian's package for a language's trained data: tesseract-ocr-chi-sim for "chi_sim".
std::string DebianHint(std::string_view language) {
  if (language.find('/') != std::string_view::npos) return "";
  std::string package = "tesseract-ocr-";
  for (const char c : language) {
    package += c == '_' ? '-' : static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  return "; Debian: apt-get install " + package;
}

int DefaultInstances() {
  const unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(cores, 1u, 64u));
}

}  // namespace

std::string JoinLanguages(const std::vector<std::string>& languages) {
  std::string joined;
  for (const std::string& language : languages) {
    joined += (joined.empty() ? "" : "+") + language;
  }
  return joined;
}

Options ParseOptions(std::string_view config_json, const char* tessdata_prefix) {
  const PluginConfig config(config_json,
                            {"languages", "tessdata", "dpi", "page_timeout", "max_pages",
                             "page_segmentation", "max_text", "max_megapixels", "instances"});
  Options o;
  const std::string fallback_dir = tessdata_prefix != nullptr && *tessdata_prefix != '\0'
                                       ? std::string(tessdata_prefix)
                                       : std::string(kDebianTessdata);
  o.tessdata = config.String("tessdata", fallback_dir, 4096);
  while (o.tessdata.size() > 1 && o.tessdata.back() == '/') o.tessdata.pop_back();
  o.languages = SplitLanguages(config.StringList("languages", {"eng"}, 16, 64));
  o.dpi = static_cast<int>(config.Integer("dpi", o.dpi, 72, 600));
  const double timeout_s = config.Number("page_timeout", 60, 0, 3600);
  o.page_timeout_ms = std::max<int64_t>(1, static_cast<int64_t>(timeout_s * 1000));
  o.max_pages = static_cast<int>(config.Integer("max_pages", o.max_pages, 1, 10'000));
  o.page_segmentation =
      static_cast<int>(config.Integer("page_segmentation", o.page_segmentation, 3, 13));
  o.max_text = config.Size("max_text", o.max_text, uint64_t{1} << 10, uint64_t{1} << 30);
  o.max_pixels = static_cast<uint64_t>(config.Integer("max_megapixels", 100, 1, 1000)) * 1'000'000;
  o.instances = static_cast<int>(config.Integer("instances", DefaultInstances(), 1, 64));

  std::error_code ec;
  if (!std::filesystem::is_directory(o.tessdata, ec)) {
    Invalid("the tessdata directory " + o.tessdata +
            " does not exist (set \"tessdata\" or TESSDATA_PREFIX; Debian: apt-get install "
            "tesseract-ocr-eng)");
  }
  for (const std::string& language : o.languages) {
    const std::filesystem::path file = o.tessdata + "/" + language + ".traineddata";
    if (!std::filesystem::is_regular_file(file, ec)) {
      Invalid("language \"" + language + "\" has no trained data in " + o.tessdata + " (no " +
              file.filename().string() + DebianHint(language) + ")");
    }
  }
  return o;
}

}  // namespace archivum::bundled::ocr
