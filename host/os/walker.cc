#include "os/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include "common/utf8.h"
#include "os/file_stat.h"

namespace archivum::os {
namespace {

Status ErrnoStatus(int err, const std::string& what, const std::string& path) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  switch (err) {
    case EACCES:
    case EPERM: return PermissionDenied(std::move(msg));
    case ENOENT:
    case ENOTDIR: return NotFound(std::move(msg));
    case ENAMETOOLONG: return Status(StatusCode::kOutOfRange, std::move(msg));
    default: return Internal(std::move(msg));
  }
}

const char* NonRegularKind(mode_t mode) {
  if (S_ISLNK(mode)) return "symbolic link (not followed)";
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  return "not a regular file";
}

// Opens without blocking (a FIFO swapped in after the stat must not hang the walk) and without
// following a link, then re-checks the type on the descriptor.
WalkEntry ExamineFile(const std::string& path) {
  WalkEntry e;
  e.path = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    if (err == ELOOP) {
      e.kind = WalkEntry::Kind::kSkipped;
      e.reason = "symbolic link (not followed)";
    } else {
      e.kind = WalkEntry::Kind::kError;
      e.error = ErrnoStatus(err, "cannot open", path);
    }
    return e;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    e.kind = WalkEntry::Kind::kError;
    e.error = ErrnoStatus(errno, "cannot stat", path);
  } else if (!S_ISREG(st.st_mode)) {
    e.kind = WalkEntry::Kind::kSkipped;
    e.reason = NonRegularKind(st.st_mode);
  } else {
    e.size = static_cast<uint64_t>(st.st_size);
    e.mtime_ns = MtimeNs(st);
  }
  ::close(fd);
  return e;
}

// Reads a directory's entry names (without "." and ".."), sorted.
Status ReadDirectory(const std::string& dir, std::vector<std::string>* names) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open directory", dir);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "cannot read directory", dir);
  }
  errno = 0;
  while (const dirent* ent = ::readdir(d)) {
    const char* n = ent->d_name;
    if (std::strcmp(n, ".") != 0 && std::strcmp(n, "..") != 0) names->emplace_back(n);
    errno = 0;
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return ErrnoStatus(err, "cannot read directory", dir);
  std::sort(names->begin(), names->end());
  return Status::Ok();
}

std::string Join(const std::string& dir, const std::string& name) {
  return dir == "/" ? dir + name : dir + "/" + name;
}

// Paths the kernel would refuse (ENAMETOOLONG) are reported before trying: deeper entries are
// not reachable by path, and every later stage (mapping, the catalog, clients) works by path.
bool TooLong(const std::string& path) {
  return path.size() >= PATH_MAX;
}

WalkEntry TooLongEntry(const std::string& path, bool is_dir) {
  WalkEntry e;
  e.path = path;
  e.kind = WalkEntry::Kind::kError;
  e.error =
      Status(StatusCode::kOutOfRange,
             std::string(is_dir ? "cannot read directory " : "cannot read ") + path +
                 ": the path is longer than the system's limit of " + std::to_string(PATH_MAX - 1) +
                 " bytes (PATH_MAX)" + (is_dir ? "; nothing below it was read" : ""));
  return e;
}

// Protobuf strings and the catalog hold UTF-8 only, so a name that is not UTF-8 cannot be
// cataloged or reported as it is: the entry (and, for a directory, everything below it) is
// skipped, with the path shown escaped by whoever reports it.
WalkEntry NotUtf8Entry(const std::string& path, bool is_dir) {
  WalkEntry e;
  e.path = path;
  e.kind = WalkEntry::Kind::kSkipped;
  e.reason =
      is_dir ? "name is not valid UTF-8; nothing below it was read" : "name is not valid UTF-8";
  return e;
}

}  // namespace

Status Walk(const std::filesystem::path& root, const std::function<bool(const WalkEntry&)>& visit) {
  struct stat st {};
  if (::lstat(root.c_str(), &st) != 0) return ErrnoStatus(errno, "cannot stat", root.string());
  if (!S_ISDIR(st.st_mode)) {
    if (S_ISREG(st.st_mode)) {
      // The root itself unreadable fails the call, as an unreadable root directory does.
      WalkEntry e = ExamineFile(root.string());
      if (e.kind == WalkEntry::Kind::kError) return e.error;
      visit(e);
      return Status::Ok();
    }
    WalkEntry e;
    e.path = root.string();
    e.kind = WalkEntry::Kind::kSkipped;
    e.reason = NonRegularKind(st.st_mode);
    visit(e);
    return Status::Ok();
  }

  // Depth-first with an explicit stack; each directory is read whole and closed before its
  // children are visited.
  std::vector<std::string> stack{root.string()};
  bool first = true;
  while (!stack.empty()) {
    std::string dir = std::move(stack.back());
    stack.pop_back();
    std::vector<std::string> names;
    Status read = ReadDirectory(dir, &names);
    if (!read.ok()) {
      if (first) return read;
      WalkEntry e;
      e.path = dir;
      e.kind = WalkEntry::Kind::kError;
      e.error = std::move(read);
      if (!visit(e)) return Status::Ok();
      continue;
    }
    first = false;
    std::vector<std::string> subdirs;
    for (const auto& name : names) {
      const std::string path = Join(dir, name);
      if (TooLong(path)) {
        // Whether it is a directory is unknown without a (relative) stat; say so generically.
        if (!visit(TooLongEntry(path, false))) return Status::Ok();
        continue;
      }
      struct stat est {};
      if (::lstat(path.c_str(), &est) != 0) {
        if (errno == ENOENT) continue;  // vanished since readdir: nothing to ingest
        WalkEntry e;
        e.path = path;
        e.kind = WalkEntry::Kind::kError;
        e.error = ErrnoStatus(errno, "cannot stat", path);
        if (!visit(e)) return Status::Ok();
        continue;
      }
      if (!IsValidUtf8(name)) {
        if (!visit(NotUtf8Entry(path, S_ISDIR(est.st_mode)))) return Status::Ok();
        continue;
      }
      if (S_ISDIR(est.st_mode)) {
        if (TooLong(path + "/")) {
          if (!visit(TooLongEntry(path, true))) return Status::Ok();
          continue;
        }
        subdirs.push_back(path);
        continue;
      }
      WalkEntry e;
      if (S_ISREG(est.st_mode)) {
        e = ExamineFile(path);
      } else {
        e.path = path;
        e.kind = WalkEntry::Kind::kSkipped;
        e.reason = NonRegularKind(est.st_mode);
      }
      if (!visit(e)) return Status::Ok();
    }
    // Reverse so the smallest name is popped first: the walk stays in sorted order.
    for (auto it = subdirs.rbegin(); it != subdirs.rend(); ++it) stack.push_back(std::move(*it));
  }
  return Status::Ok();
}

}  // namespace archivum::os
