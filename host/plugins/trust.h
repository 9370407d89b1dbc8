// Plugin trust: a plugin runs inside the daemon with the daemon's privileges, so the host loads
// only files that no one but the daemon's own user or root could have written or replaced.
//
// A directory or file is trusted when it is owned by the daemon's effective user or by root and
// is not writable by group or others. For a plugin file that is a symbolic link, the link itself,
// its target and the target's directory must all be trusted (whoever can rewrite the target or
// swap it inside its directory decides what runs).
//
// The checks are advisory against a race only in the sense that a trusted writer could still
// change the file between the check and dlopen; an untrusted one cannot.
//
// Thread safety: pure functions over the file system; reentrant.
#pragma once

#include <sys/types.h>

#include <filesystem>

#include "common/status.h"

namespace archivum::plugins {

// Checks the directory plugins are loaded from (after resolving symlinks). Errors:
// PERMISSION_DENIED with a user-facing reason, e.g. "plugin directory /p is writable by group or
// others (mode 0777); refusing to load plugins from it"; NOT_FOUND if it cannot be examined.
// `daemon_uid` is the user the daemon runs as (geteuid()); root (uid 0) is always trusted.
Status CheckPluginDirectoryTrusted(const std::filesystem::path& dir, uid_t daemon_uid);

// Checks one plugin file (and, for a symlink, its target and the target's directory). Errors:
// PERMISSION_DENIED, e.g. "plugin file /p/x.so is writable by group or others (mode 0666);
// refusing to load it" or "plugin file /p/x.so is owned by uid 1000, not by the daemon's user
// (uid 0) or root; refusing to load it"; NOT_FOUND if it cannot be examined.
Status CheckPluginFileTrusted(const std::filesystem::path& file, uid_t daemon_uid);

}  // namespace archivum::plugins
