#include "os/spool_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace archivum::os {

StatusOr<std::unique_ptr<SpoolFile>> SpoolFile::Create(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string path = (dir / "upload-XXXXXX").string();
  const int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) {
    return Internal("cannot create upload spool in " + dir.string() + ": " + std::strerror(errno));
  }
  return std::unique_ptr<SpoolFile>(new SpoolFile(fd, std::move(path)));
}

SpoolFile::~SpoolFile() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

Status SpoolFile::Append(std::string_view data) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal(std::string("writing the upload spool: ") + std::strerror(errno));
    off += static_cast<size_t>(n);
  }
  size_ += data.size();
  return Status::Ok();
}

}  // namespace archivum::os
