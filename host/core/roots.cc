#include "core/roots.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace archivum::core {
namespace fs = std::filesystem;

namespace {

bool IsUnder(const fs::path& p, const fs::path& root) {
  auto pi = p.begin();
  for (auto ri = root.begin(); ri != root.end(); ++ri, ++pi) {
    if (ri->empty()) continue;  // trailing separator
    if (pi == p.end() || *pi != *ri) return false;
  }
  return true;
}

}  // namespace

Roots::Roots(std::vector<fs::path> roots) {
  for (auto& r : roots) {
    std::error_code ec;
    fs::path resolved = fs::canonical(r, ec);
    roots_.push_back(ec ? r.lexically_normal() : resolved);
  }
}

bool Roots::Contains(const fs::path& resolved) const {
  for (const auto& r : roots_) {
    if (IsUnder(resolved, r)) return true;
  }
  return false;
}

std::string Roots::Describe() const {
  std::string s = "[";
  for (size_t i = 0; i < roots_.size(); ++i) {
    if (i) s += ", ";
    s += roots_[i].string();
  }
  return s + "]";
}

StatusOr<fs::path> Roots::Resolve(const std::string& requested) const {
  if (requested.empty()) return InvalidArgument("path is empty");
  if (requested.find('\0') != std::string::npos) {
    return InvalidArgument("path contains a NUL byte");
  }
  if (requested.front() != '/') {
    return InvalidArgument("path '" + requested + "' is relative; send an absolute path");
  }
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(requested.c_str(), nullptr),
                                                   &std::free);
  if (!real) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return NotFound("no such file or directory: " + requested);
    if (err == EACCES) return PermissionDenied("cannot access " + requested + ": " + std::strerror(err));
    if (err == ELOOP) return InvalidArgument("too many symbolic links resolving " + requested);
    return InvalidArgument("cannot resolve " + requested + ": " + std::strerror(err));
  }
  fs::path resolved(real.get());
  if (!Contains(resolved)) {
    std::string msg = requested;
    if (resolved.string() != requested) msg += " (resolves to " + resolved.string() + ")";
    msg += " is outside the ingest roots " + Describe() +
           "; add a root under ingest.roots in the daemon's config";
    return PermissionDenied(msg);
  }
  return resolved;
}

}  // namespace archivum::core
