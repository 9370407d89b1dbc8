// process::Channel: messages with descriptors over a SOCK_SEQPACKET pair, inline and through a
// memfd, and the errors a dead or misbehaving peer produces.
#include "plugins/process/channel.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace archivum::plugins::process {
namespace {

struct Pair {
  Channel a, b;
};

Pair MakePair() {
  os::UniqueFd x, y;
  EXPECT_TRUE(Channel::Pair(&x, &y).ok());
  return {Channel(std::move(x)), Channel(std::move(y))};
}

TEST(ChannelTest, SmallMessageArrivesWhole) {
  auto [a, b] = MakePair();
  ASSERT_TRUE(a.Send("hello").ok());
  auto got = b.Receive();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->payload, "hello");
  EXPECT_TRUE(got->fds.empty());
}

TEST(ChannelTest, EmptyMessageIsAMessage) {
  auto [a, b] = MakePair();
  ASSERT_TRUE(a.Send("").ok());
  auto got = b.Receive();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->payload, "");
}

TEST(ChannelTest, LargeMessageTravelsInAMemfd) {
  auto [a, b] = MakePair();
  std::string big(Channel::kInlineLimit * 5 + 17, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ASSERT_TRUE(a.Send(big, {&pipe_fds[1], 1}).ok());
  auto got = b.Receive();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->payload, big);
  // The descriptor sent along arrives too (the memfd is not handed to the caller).
  ASSERT_EQ(got->fds.size(), 1u);
  ASSERT_EQ(::write(got->fds[0].get(), "x", 1), 1);
  char c = 0;
  ASSERT_EQ(::read(pipe_fds[0], &c, 1), 1);
  EXPECT_EQ(c, 'x');
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST(ChannelTest, ClosedPeerIsUnavailable) {
  os::UniqueFd x, y;
  ASSERT_TRUE(Channel::Pair(&x, &y).ok());
  Channel a(std::move(x));
  y.Reset();
  auto got = a.Receive();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(a.Send("x").code(), StatusCode::kUnavailable);
}

TEST(ChannelTest, GarbageIsDataLossNotAMessage) {
  os::UniqueFd x, y;
  ASSERT_TRUE(Channel::Pair(&x, &y).ok());
  Channel a(std::move(x));
  // A peer writing raw bytes instead of a framed message.
  ASSERT_EQ(::send(y.get(), "Zgarbage", 8, 0), 8);
  auto got = a.Receive();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(got.status().message().find("garbage on the channel"), std::string::npos);
  // A memfd header whose descriptor is missing.
  ASSERT_EQ(::send(y.get(), "M\x01\x00\x00\x00\x00\x00\x00\x00", 9, 0), 9);
  got = a.Receive();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace archivum::plugins::process
