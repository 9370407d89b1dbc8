#include "plugins/process/channel.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace archivum::plugins::process {
namespace {

constexpr char kInline = 'I';
constexpr char kInMemfd = 'M';
// Larger payloads are refused: no reply of a plugin call may be this large (the output limits
// are far lower), so a peer that claims one is broken.
constexpr uint64_t kMaxPayload = uint64_t{2} << 30;

std::string ErrnoText(int err) {
  return std::strerror(err);
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Internal("cannot write a message buffer: " + ErrnoText(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

Status Channel::Pair(os::UniqueFd* a, os::UniqueFd* b) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
    return Internal("socketpair: " + ErrnoText(errno));
  }
  a->Reset(fds[0]);
  b->Reset(fds[1]);
  return Status::Ok();
}

Status Channel::Send(std::string_view payload, std::span<const int> fds) const {
  if (fds.size() + 1 > kMaxFds) return InvalidArgument("too many descriptors for one message");
  char head[1 + sizeof(uint64_t)];
  std::vector<int> all;
  os::UniqueFd memfd;
  iovec iov[2];
  size_t iov_count = 0;
  if (payload.size() <= kInlineLimit) {
    head[0] = kInline;
    iov[iov_count++] = {head, 1};
    if (!payload.empty()) {
      iov[iov_count++] = {const_cast<char*>(payload.data()), payload.size()};
    }
  } else {
    memfd.Reset(::memfd_create("archivum-message", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (!memfd.valid()) return Internal("memfd_create: " + ErrnoText(errno));
    ARCHIVUM_RETURN_IF_ERROR(WriteAll(memfd.get(), payload));
    // Sealed, so the receiver reads exactly what was sent.
    ::fcntl(memfd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    head[0] = kInMemfd;
    const uint64_t size = payload.size();
    std::memcpy(head + 1, &size, sizeof size);
    iov[iov_count++] = {head, sizeof head};
    all.push_back(memfd.get());
  }
  all.insert(all.end(), fds.begin(), fds.end());

  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = iov_count;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  if (!all.empty()) {
    const size_t bytes = sizeof(int) * all.size();
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(bytes);
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(bytes);
    std::memcpy(CMSG_DATA(cmsg), all.data(), bytes);
  }
  for (;;) {
    if (::sendmsg(socket_.get(), &msg, MSG_NOSIGNAL) >= 0) return Status::Ok();
    if (errno == EINTR) continue;
    if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN) {
      return Unavailable("channel closed");
    }
    return Internal("sendmsg: " + ErrnoText(errno));
  }
}

StatusOr<ChannelMessage> Channel::Receive() const {
  thread_local std::vector<char> buffer(kInlineLimit + 1);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  iovec iov{buffer.data(), buffer.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(socket_.get(), &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == ECONNRESET) return Unavailable("channel closed");
    return Internal("recvmsg: " + ErrnoText(errno));
  }

  ChannelMessage out;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      out.fds.emplace_back(fd);
    }
  }
  if (n == 0 && out.fds.empty()) return Unavailable("channel closed");
  if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
    return DataLoss("garbage on the channel: oversized message");
  }
  const std::string_view data(buffer.data(), static_cast<size_t>(n));
  if (data.empty()) return DataLoss("garbage on the channel: empty message");
  if (data[0] == kInline) {
    out.payload.assign(data.substr(1));
    return out;
  }
  if (data[0] != kInMemfd || data.size() != 1 + sizeof(uint64_t) || out.fds.empty()) {
    return DataLoss("garbage on the channel: malformed message header");
  }
  uint64_t size;
  std::memcpy(&size, data.data() + 1, sizeof size);
  struct stat st;
  if (size > kMaxPayload || ::fstat(out.fds[0].get(), &st) != 0 ||
      static_cast<uint64_t>(st.st_size) != size) {
    return DataLoss("garbage on the channel: payload descriptor does not match its size");
  }
  out.payload.resize(size);
  uint64_t got = 0;
  while (got < size) {
    const ssize_t r =
        ::pread(out.fds[0].get(), out.payload.data() + got, size - got, static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return DataLoss("garbage on the channel: payload descriptor unreadable");
    got += static_cast<uint64_t>(r);
  }
  out.fds.erase(out.fds.begin());
  return out;
}

}  // namespace archivum::plugins::process
