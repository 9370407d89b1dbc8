// Channel: messages with file descriptors over one end of a connected AF_UNIX SOCK_SEQPACKET
// socket pair, between archivumd and a worker (the plugins' process placement).
//
// A message is a payload of bytes plus up to kMaxFds descriptors. A payload larger than
// kInlineLimit travels in a sealed memfd (the receiver maps it), so a message of any size is one
// send and one receive, and nothing else is ever read from the socket: a peer that writes
// anything that is not a well-formed message (garbage) makes Receive fail, never misread.
//
// Thread safety: one sender and one receiver at a time (a channel serves one call at a time).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "os/unique_fd.h"

namespace archivum::plugins::process {

struct ChannelMessage {
  std::string payload;
  std::vector<os::UniqueFd> fds;  // received with MSG_CMSG_CLOEXEC
};

class Channel {
 public:
  static constexpr size_t kInlineLimit = 48 << 10;
  static constexpr size_t kMaxFds = 64;

  Channel() = default;
  explicit Channel(os::UniqueFd socket) : socket_(std::move(socket)) {}

  // A connected SOCK_SEQPACKET pair (both ends close-on-exec). Errors: INTERNAL.
  static Status Pair(os::UniqueFd* a, os::UniqueFd* b);

  // Sends `payload` with `fds` (borrowed; the receiver gets duplicates). Errors: UNAVAILABLE
  // (the peer is gone), INTERNAL (any other failure), INVALID_ARGUMENT (too many fds).
  Status Send(std::string_view payload, std::span<const int> fds = {}) const;

  // Blocks until a message arrives. Errors: UNAVAILABLE "channel closed" (the peer closed or
  // died), DATA_LOSS "garbage on the channel: ..." (not a well-formed message), INTERNAL.
  StatusOr<ChannelMessage> Receive() const;

  int fd() const { return socket_.get(); }
  bool valid() const { return socket_.valid(); }

 private:
  os::UniqueFd socket_;
};

}  // namespace archivum::plugins::process
