// One direction of a proxied connection, between socket pairs: bounded buffering, the FIN
// passed on after the bytes, a vanished sink reported instead of raising SIGPIPE.
#include "local-cluster/socket_pipe.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>

#include "common/unique_fd.h"

namespace i2kit {
namespace {

struct SocketPair {
  SocketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    near.reset(fds[0]);
    far.reset(fds[1]);
  }
  UniqueFd near;  // the pipe's end
  UniqueFd far;   // the peer's end
};

std::string ReadAvailable(int fd) {
  char chunk[256];
  ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
  return n > 0 ? std::string(chunk, static_cast<size_t>(n)) : "";
}

TEST(SocketPipeTest, FinIsPassedOnOnlyAfterTheBufferedBytes) {
  SocketPair source, sink;
  char scratch[64];
  SocketPipe pipe;
  ASSERT_EQ(::send(source.far.get(), "hello", 5, 0), 5);
  ::shutdown(source.far.get(), SHUT_WR);
  // The sink is not connected yet: bytes and FIN wait in the pipe.
  EXPECT_EQ(pipe.Move(source.near.get(), -1, sizeof scratch, scratch), SocketPipe::Flow::kMoved);
  EXPECT_EQ(pipe.Move(source.near.get(), -1, sizeof scratch, scratch), SocketPipe::Flow::kMoved);
  EXPECT_EQ(pipe.buffered(), 5u);
  EXPECT_FALSE(pipe.done());

  EXPECT_EQ(pipe.Move(source.near.get(), sink.near.get(), sizeof scratch, scratch),
            SocketPipe::Flow::kMoved);
  EXPECT_TRUE(pipe.done());
  EXPECT_EQ(ReadAvailable(sink.far.get()), "hello");
  char byte;
  EXPECT_EQ(::recv(sink.far.get(), &byte, 1, 0), 0);  // then EOF
}

TEST(SocketPipeTest, SourceIsNotReadBeyondTheCapacity) {
  SocketPair source;
  char scratch[4];
  SocketPipe pipe;
  ASSERT_EQ(::send(source.far.get(), "0123456789", 10, 0), 10);
  EXPECT_EQ(pipe.Move(source.near.get(), -1, sizeof scratch, scratch), SocketPipe::Flow::kMoved);
  EXPECT_EQ(pipe.Move(source.near.get(), -1, sizeof scratch, scratch), SocketPipe::Flow::kIdle);
  EXPECT_EQ(pipe.buffered(), 4u);
  EXPECT_EQ(ReadAvailable(source.near.get()), "456789");  // still in the socket
}

TEST(SocketPipeTest, EmptyPipeWithNothingToReadIsIdle) {
  SocketPair source, sink;
  char scratch[16];
  SocketPipe pipe;
  EXPECT_EQ(pipe.Move(source.near.get(), sink.near.get(), sizeof scratch, scratch),
            SocketPipe::Flow::kIdle);
  EXPECT_EQ(pipe.buffered(), 0u);
}

TEST(SocketPipeTest, VanishedSinkBreaksThePipeWithoutSigpipe) {
  SocketPair source, sink;
  char scratch[16];
  SocketPipe pipe;
  sink.far.reset();
  ASSERT_EQ(::send(source.far.get(), "data", 4, 0), 4);
  EXPECT_EQ(pipe.Move(source.near.get(), sink.near.get(), sizeof scratch, scratch),
            SocketPipe::Flow::kBroken);
}

}  // namespace
}  // namespace i2kit
