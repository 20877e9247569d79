#include "local-cluster/socket_pipe.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace i2kit {

SocketPipe::Flow SocketPipe::Move(int source, int sink, size_t capacity, char* scratch) {
  bool moved = false;
  if (source >= 0 && !eof_) {
    if (end_ == capacity && begin_ > 0) {
      std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ < capacity) {
      char* into = data_ ? data_.get() + end_ : scratch;
      ssize_t n = ::recv(source, into, capacity - end_, 0);
      if (n > 0) {
        if (!data_) {
          data_ = std::make_unique<char[]>(capacity);
          std::memcpy(data_.get(), scratch, static_cast<size_t>(n));
        }
        end_ += static_cast<size_t>(n);
        moved = true;
      } else if (n == 0) {
        eof_ = true;
        moved = true;
      } else if (errno != EAGAIN && errno != EINTR) {
        return Flow::kBroken;
      }
    }
  }
  if (sink >= 0 && end_ > begin_) {
    ssize_t n = ::send(sink, data_.get() + begin_, end_ - begin_, MSG_NOSIGNAL);
    if (n > 0) {
      begin_ += static_cast<size_t>(n);
      moved = true;
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return Flow::kBroken;
    }
  }
  if (begin_ == end_) {
    begin_ = end_ = 0;
    data_.reset();
    if (sink >= 0 && eof_ && !shut_) {
      if (::shutdown(sink, SHUT_WR) != 0) return Flow::kBroken;
      shut_ = true;
      moved = true;
    }
  }
  return moved ? Flow::kMoved : Flow::kIdle;
}

}  // namespace i2kit
