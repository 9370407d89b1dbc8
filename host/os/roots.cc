#include "os/roots.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "common/utf8.h"

namespace archivum::os {
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
    configured_.push_back(r.lexically_normal());
  }
}

bool Roots::Contains(const fs::path& resolved) const {
  for (const auto& r : roots_) {
    if (IsUnder(resolved, r)) return true;
  }
  return false;
}

bool Roots::LexicallyContains(const fs::path& requested) const {
  const fs::path p = requested.lexically_normal();
  if (Contains(p)) return true;
  for (const auto& r : configured_) {
    if (IsUnder(p, r)) return true;
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
  // Messages quote the request; in-process callers are not bound by protobuf's UTF-8 rule.
  const std::string shown = EscapeInvalidUtf8(requested);
  if (requested.front() != '/') {
    return InvalidArgument("path '" + shown + "' is relative; send an absolute path");
  }
  if (roots_.empty()) {
    return PermissionDenied(
        "path ingest is disabled: the ingest roots are [] (ingest.roots is "
        "empty in the daemon's config); refusing " +
        shown + "; add a root or use Upload");
  }
  auto outside = [&](const std::string& resolved) {
    std::string msg = shown;
    if (!resolved.empty() && resolved != requested) {
      msg += " (resolves to " + EscapeInvalidUtf8(resolved) + ")";
    }
    return PermissionDenied(msg + " is outside the ingest roots " + Describe() +
                            "; add a root under ingest.roots in the daemon's config");
  };
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(requested.c_str(), nullptr),
                                                   &std::free);
  if (!real) {
    const int err = errno;
    // Outside the roots, why resolving failed is not the client's business: answering NOT_FOUND
    // there would tell which paths exist.
    if (!LexicallyContains(requested)) return outside("");
    if (err == ENOENT || err == ENOTDIR) return NotFound("no such file or directory: " + shown);
    if (err == EACCES) {
      return PermissionDenied("cannot access " + shown + ": " + std::strerror(err));
    }
    if (err == ELOOP) {
      return InvalidArgument("too many symbolic links resolving " + shown +
                             " (a symbolic link loop?)");
    }
    return InvalidArgument("cannot resolve " + shown + ": " + std::strerror(err));
  }
  fs::path resolved(real.get());
  if (!Contains(resolved)) return outside(resolved.native());
  if (!IsValidUtf8(resolved.native())) {
    // Reachable through a symlink with a UTF-8 name: the catalog and the API hold UTF-8 only.
    return InvalidArgument(shown + " resolves to " + EscapeInvalidUtf8(resolved.native()) +
                           ", which is not valid UTF-8; only UTF-8 paths can be cataloged");
  }
  return resolved;
}

}  // namespace archivum::os
