#include "watch/inotify.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace archivum::watch {

uint32_t DirectoryWatchMask() {
  return IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE |
         IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB | IN_ONLYDIR | IN_EXCL_UNLINK | IN_DONT_FOLLOW;
}

StatusOr<Inotify> Inotify::Open() {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    return Internal(std::string("inotify_init1: ") + std::strerror(errno) +
                    (errno == EMFILE ? " (fs.inotify.max_user_instances)" : ""));
  }
  return Inotify(os::UniqueFd(fd));
}

int Inotify::AddWatch(const std::string& path, uint32_t mask) {
  const int wd = ::inotify_add_watch(fd_.get(), path.c_str(), mask);
  return wd >= 0 ? wd : -errno;
}

void Inotify::RemoveWatch(int wd) {
  (void)::inotify_rm_watch(fd_.get(), wd);
}

uint64_t Inotify::Read(const std::function<void(const Event&)>& fn, int max_reads) {
  // Aligned as the kernel's records are; large enough for many events per read (each is at most
  // sizeof(inotify_event) + NAME_MAX + 1 bytes).
  alignas(struct inotify_event) char buffer[64 * 1024];
  uint64_t events = 0;
  for (int i = 0; i < max_reads; ++i) {
    const ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n <= 0) break;  // EAGAIN: nothing more queued (EINTR: the next poll comes back)
    for (ssize_t off = 0; off + static_cast<ssize_t>(sizeof(struct inotify_event)) <= n;) {
      struct inotify_event raw;
      std::memcpy(&raw, buffer + off, sizeof raw);
      const ssize_t record = static_cast<ssize_t>(sizeof raw) + raw.len;
      if (off + record > n) break;
      Event ev;
      ev.wd = raw.wd;
      ev.mask = raw.mask;
      ev.cookie = raw.cookie;
      if (raw.len > 0) {
        // The name is NUL-padded to an aligned length.
        const char* name = buffer + off + sizeof raw;
        ev.name = std::string_view(name, ::strnlen(name, raw.len));
      }
      fn(ev);
      ++events;
      off += record;
    }
  }
  return events;
}

}  // namespace archivum::watch
