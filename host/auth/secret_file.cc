#include "auth/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace archivum::auth {
namespace {

// Certificates, keys and token lists are a few kilobytes; anything this large is a wrong path.
constexpr size_t kMaxBytes = size_t{1} << 20;

Status ReadError(int err, std::string_view key, const std::filesystem::path& file) {
  std::string message =
      std::string(key) + ": cannot read " + file.string() + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR: return NotFound(std::move(message));
    case EACCES:
    case EPERM: return PermissionDenied(std::move(message));
    default: return InvalidArgument(std::move(message));
  }
}

}  // namespace

StatusOr<std::string> ReadSecretFile(const std::filesystem::path& file, std::string_view key) {
  // O_NONBLOCK: a FIFO at the path must not hang start-up; it is refused below.
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return ReadError(errno, key, file);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ReadError(err, key, file);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(std::string(key) + ": " + file.string() +
                           (S_ISDIR(st.st_mode) ? " is a directory" : " is not a regular file") +
                           "; expected a file");
  }
  std::string text;
  std::array<char, 16384> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return ReadError(err, key, file);
    }
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > kMaxBytes) {
      ::close(fd);
      return InvalidArgument(std::string(key) + ": " + file.string() +
                             " is larger than 1M; expected a certificate, key or token file");
    }
    text.append(buffer.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

}  // namespace archivum::auth
