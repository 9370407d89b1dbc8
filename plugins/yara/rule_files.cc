#include "yara/rule_files.h"

#include <algorithm>
#include <cctype>
#include <system_error>

#include "archivum/plugin.hpp"

namespace archivum::bundled::yara {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Refuse(const std::string& entry, const std::string& why) {
  throw sdk::Error(ARCHIVUM_INVALID_ARGUMENT, "config \"rules\": " + entry + ": " + why);
}

bool IsRuleFileName(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".yar" || ext == ".yara";
}

std::vector<fs::path> ListDirectory(const std::string& entry) {
  std::vector<fs::path> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(entry, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code status_ec;
    if (it->is_regular_file(status_ec) && IsRuleFileName(it->path())) found.push_back(it->path());
  }
  if (ec) Refuse(entry, "cannot list the directory: " + ec.message());
  if (found.empty()) Refuse(entry, "the directory holds no .yar or .yara file");
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

std::vector<fs::path> ListRuleFiles(const std::vector<std::string>& entries) {
  std::vector<fs::path> files;
  for (const std::string& entry : entries) {
    std::error_code ec;
    const fs::file_status status = fs::status(entry, ec);
    if (ec || !fs::exists(status)) {
      Refuse(entry, ec && ec != std::errc::no_such_file_or_directory ? ec.message()
                                                                     : "no such file or directory");
    }
    if (fs::is_directory(status)) {
      for (fs::path& p : ListDirectory(entry)) files.push_back(std::move(p));
    } else if (fs::is_regular_file(status)) {
      files.emplace_back(entry);
    } else {
      Refuse(entry, "neither a file nor a directory");
    }
  }
  return files;
}

}  // namespace archivum::bundled::yara
