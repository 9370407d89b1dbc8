#include "os/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "os/file_stat.h"
#include "os/truncation_guard.h"

namespace archivum::os {
namespace {

Status OpenError(int err, const std::string& path) {
  std::string msg = "cannot open " + path + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR: return NotFound(std::move(msg));
    case EACCES:
    case EPERM: return PermissionDenied(std::move(msg));
    case ELOOP: return FailedPrecondition(path + " is a symbolic link (not followed)");
    default: return Internal(std::move(msg));
  }
}

}  // namespace

StatusOr<MappedFile> MappedFile::Open(const std::string& path, uint64_t max_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return OpenError(errno, path);
  return FromDescriptor(fd, path, max_size);
}

StatusOr<MappedFile> MappedFile::FromDescriptor(int fd, const std::string& path,
                                                uint64_t max_size) {
  MappedFile f;
  f.path_ = path;
  f.fd_ = fd;
  struct stat st {};
  if (::fstat(f.fd_, &st) != 0) return OpenError(errno, path);
  if (!S_ISREG(st.st_mode)) return FailedPrecondition(path + " is not a regular file");
  f.size_ = static_cast<uint64_t>(st.st_size);
  f.mtime_ns_ = MtimeNs(st);
  if (f.size_ > max_size) {
    return ResourceExhausted(path + " is " + std::to_string(f.size_) +
                             " bytes, over the limit of " + std::to_string(max_size));
  }
  if (f.size_ == 0) return f;
  if (f.size_ <= kReadLimit) {
    f.buffer_ = std::make_unique_for_overwrite<char[]>(f.size_);
    uint64_t got = 0;
    while (got < f.size_) {
      const ssize_t n =
          ::pread(f.fd_, f.buffer_.get() + got, f.size_ - got, static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Internal("cannot read " + path + ": " + std::strerror(errno));
      if (n == 0) break;  // shorter than fstat said: it shrank in between
      got += static_cast<uint64_t>(n);
    }
    if (got < f.size_) {
      // As a mapping would show it: zeros past the new end, and CheckUnchanged says it shrank.
      std::memset(f.buffer_.get() + got, 0, f.size_ - got);
      f.read_short_ = true;
    }
    return f;
  }
  void* p = ::mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, f.fd_, 0);
  if (p == MAP_FAILED) {
    return Internal("cannot map " + path + ": " + std::strerror(errno));
  }
  f.data_ = p;
  f.guard_ = RegisterMapping(p, f.size_);
  ::madvise(p, f.size_, MADV_SEQUENTIAL);
  return f;
}

MappedFile::MappedFile(MappedFile&& o) noexcept {
  *this = std::move(o);
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    Reset();
    fd_ = std::exchange(o.fd_, -1);
    data_ = std::exchange(o.data_, nullptr);
    buffer_ = std::move(o.buffer_);
    read_short_ = std::exchange(o.read_short_, false);
    guard_ = std::exchange(o.guard_, kUnguarded);
    size_ = std::exchange(o.size_, 0);
    mtime_ns_ = o.mtime_ns_;
    path_ = std::move(o.path_);
  }
  return *this;
}

MappedFile::~MappedFile() {
  Reset();
}

void MappedFile::Reset() {
  UnregisterMapping(std::exchange(guard_, kUnguarded));
  if (data_) ::munmap(data_, size_);
  if (fd_ >= 0) ::close(fd_);
  data_ = nullptr;
  fd_ = -1;
  buffer_.reset();
  read_short_ = false;
}

void MappedFile::DropBehind(uint64_t offset, uint64_t length) const {
  if (!data_ || offset >= size_) return;
  static const uint64_t kPage = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t begin = offset / kPage * kPage;  // whole pages only
  const uint64_t end = std::min(size_, offset + length);
  if (end <= begin) return;
  // A private, never-written file mapping: dropped pages refault from the file unchanged.
  ::madvise(static_cast<char*>(data_) + begin, end - begin, MADV_DONTNEED);
}

Status MappedFile::CheckUnchanged() const {
  if (read_short_ || MappingTruncated(guard_)) {
    return Aborted(path_ + " shrank while it was analyzed; ingest it again");
  }
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    return NotFound(path_ + " vanished while it was analyzed");
  }
  if (static_cast<uint64_t>(st.st_size) != size_ || MtimeNs(st) != mtime_ns_) {
    return Aborted(path_ + " changed while it was analyzed; ingest it again");
  }
  return Status::Ok();
}

}  // namespace archivum::os
