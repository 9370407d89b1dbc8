#include "cli/paths.h"

#include <system_error>

namespace archivum::cli {

std::string MakeAbsolute(std::string_view path, const std::filesystem::path& cwd) {
  const std::filesystem::path p(path);
  if (path.empty() || p.is_absolute()) return std::string(path);
  const std::filesystem::path joined = cwd / p;
  std::error_code ec;
  std::filesystem::path resolved = std::filesystem::weakly_canonical(joined, ec);
  if (ec) resolved = joined.lexically_normal();
  std::string out = resolved.string();
  // The non-existing tail keeps the trailing separator of "dir/" and turns "." into "<cwd>/".
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string MakeAbsolute(std::string_view path) {
  std::error_code ec;
  const std::filesystem::path cwd = std::filesystem::current_path(ec);
  if (ec) return std::string(path);
  return MakeAbsolute(path, cwd);
}

}  // namespace archivum::cli
