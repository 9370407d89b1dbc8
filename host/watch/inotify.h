// The kernel's inotify API (<sys/inotify.h>) as one owned instance: watches on directories and
// the events they report.
//
// Thread safety: an Inotify is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "os/unique_fd.h"

namespace archivum::watch {

// What a watch of the watcher asks for: every change to the directory's entries and to the
// directory itself, on directories only, never through a symbolic link, and without events for
// files already unlinked (IN_EXCL_UNLINK: a deleted file still open elsewhere is not reported as
// written).
uint32_t DirectoryWatchMask();

// One event as the kernel reported it; `name` (the entry within the watched directory) is empty
// for events about the directory itself and is valid during the callback only.
struct Event {
  int wd = -1;
  uint32_t mask = 0;
  uint32_t cookie = 0;
  std::string_view name;
};

class Inotify {
 public:
  // A non-blocking, close-on-exec instance. Errors: INTERNAL naming errno (EMFILE: the per-user
  // instance limit fs.inotify.max_user_instances).
  static StatusOr<Inotify> Open();

  int fd() const { return fd_.get(); }

  // Watches directory `path` (or updates its watch: the kernel returns the same descriptor for a
  // directory already watched). Returns the watch descriptor, or -errno (-ENOSPC: the user's
  // watches are used up, fs.inotify.max_user_watches; -ENOENT, -ENOTDIR: gone or replaced).
  int AddWatch(const std::string& path, uint32_t mask);

  // Removes a watch; the kernel then reports IN_IGNORED for it. A stale descriptor is ignored.
  void RemoveWatch(int wd);

  // Reads the events that are queued (none: returns 0 at once) and passes each to `fn`; reads at
  // most `max_reads` buffers, so that a busy tree cannot hold the caller forever. Returns the
  // number of events.
  uint64_t Read(const std::function<void(const Event&)>& fn, int max_reads = 64);

 private:
  explicit Inotify(os::UniqueFd fd) : fd_(std::move(fd)) {}
  os::UniqueFd fd_;
};

}  // namespace archivum::watch
