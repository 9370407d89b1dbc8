#include "plugins/trust.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace archivum::plugins {
namespace {

namespace fs = std::filesystem;

std::string OctalMode(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Why something with status `st` is not trusted ("is writable by ..."), or "" if it is.
// `check_mode` is false for symbolic links, whose own permission bits mean nothing.
std::string Distrust(const struct stat& st, uid_t daemon_uid, bool check_mode = true) {
  if (st.st_uid != daemon_uid && st.st_uid != 0) {
    return "is owned by uid " + std::to_string(st.st_uid) + ", not by the daemon's user (uid " +
           std::to_string(daemon_uid) + ") or root";
  }
  if (check_mode && (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return "is writable by group or others (mode " + OctalMode(st.st_mode) + ")";
  }
  return "";
}

Status CannotExamine(const std::string& what, const fs::path& path, int err) {
  return NotFound("cannot examine " + what + " " + path.string() + ": " + std::strerror(err));
}

// realpath(3); empty with errno set on failure.
fs::path RealPath(const fs::path& path) {
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
  return real ? fs::path(real.get()) : fs::path();
}

}  // namespace

Status CheckPluginDirectoryTrusted(const fs::path& dir, uid_t daemon_uid) {
  const fs::path real = RealPath(dir);
  if (real.empty()) return CannotExamine("plugin directory", dir, errno);
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0) return CannotExamine("plugin directory", real, errno);
  const std::string why = Distrust(st, daemon_uid);
  if (why.empty()) return Status::Ok();
  std::string name = dir.string();
  if (real != dir) name += " (resolves to " + real.string() + ")";
  return PermissionDenied("plugin directory " + name + " " + why +
                          "; refusing to load plugins from it");
}

Status CheckPluginFileTrusted(const fs::path& file, uid_t daemon_uid) {
  const std::string what = "plugin file " + file.string();
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0) return CannotExamine("plugin file", file, errno);
  if (!S_ISLNK(st.st_mode)) {
    const std::string why = Distrust(st, daemon_uid);
    if (why.empty()) return Status::Ok();
    return PermissionDenied(what + " " + why + "; refusing to load it");
  }

  if (std::string why = Distrust(st, daemon_uid, /*check_mode=*/false); !why.empty()) {
    return PermissionDenied(what + " is a symbolic link that " + why + "; refusing to load it");
  }
  const fs::path target = RealPath(file);
  if (target.empty()) return CannotExamine("the target of plugin file", file, errno);
  struct stat tst {};
  if (::stat(target.c_str(), &tst) != 0) return CannotExamine("plugin file", target, errno);
  if (std::string why = Distrust(tst, daemon_uid); !why.empty()) {
    return PermissionDenied(what + " is a symbolic link to " + target.string() + ", which " + why +
                            "; refusing to load it");
  }
  const fs::path target_dir = target.parent_path();
  struct stat dst {};
  if (::stat(target_dir.c_str(), &dst) != 0) {
    return CannotExamine("plugin directory", target_dir, errno);
  }
  if (std::string why = Distrust(dst, daemon_uid); !why.empty()) {
    return PermissionDenied(what + " is a symbolic link into " + target_dir.string() + ", which " +
                            why + "; refusing to load it");
  }
  return Status::Ok();
}

}  // namespace archivum::plugins
