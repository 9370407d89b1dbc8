#include "os/anonymous_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace archivum::os {
namespace {

std::string Why() {
  return std::strerror(errno);
}

}  // namespace

StatusOr<AnonymousFile> AnonymousFile::Create(const std::filesystem::path& dir) {
  if (dir.empty()) {
    UniqueFd fd(::memfd_create("archivum-child", MFD_CLOEXEC));
    if (!fd.valid()) return Internal("memfd_create: " + Why());
    return AnonymousFile(std::move(fd), 0);
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("cannot create " + dir.string() + ": " + ec.message());
  UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    // A file system without O_TMPFILE: memory is the only place left that leaves no name behind.
    if (errno == EOPNOTSUPP || errno == EISDIR) return Create({});
    return Internal("cannot create a temporary file in " + dir.string() + ": " + Why());
  }
  return AnonymousFile(std::move(fd), 0);
}

StatusOr<AnonymousFile> AnonymousFile::Adopt(UniqueFd fd) {
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0) return Internal("fstat: " + Why());
  if (!S_ISREG(st.st_mode)) return InvalidArgument("not a regular file");
  return AnonymousFile(std::move(fd), static_cast<uint64_t>(st.st_size));
}

Status AnonymousFile::Append(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd_.get(), data.data(), data.size(), static_cast<off_t>(size_));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Internal("writing a temporary file: " + Why());
    }
    size_ += static_cast<uint64_t>(n);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status AnonymousFile::AlignEnd() {
  const uint64_t aligned = (size_ + kPageSize - 1) / kPageSize * kPageSize;
  if (aligned == size_) return Status::Ok();
  if (::ftruncate(fd_.get(), static_cast<off_t>(aligned)) != 0) {
    return Internal("extending a temporary file: " + Why());
  }
  size_ = aligned;
  return Status::Ok();
}

Status AnonymousFile::Truncate(uint64_t size) {
  if (size > size_) return InvalidArgument("truncate beyond the end");
  if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
    return Internal("truncating a temporary file: " + Why());
  }
  size_ = size;
  return Status::Ok();
}

void AnonymousFile::Discard(uint64_t offset, uint64_t length) const {
  if (length == 0) return;
  (void)::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                    static_cast<off_t>(offset), static_cast<off_t>(length));
}

}  // namespace archivum::os
