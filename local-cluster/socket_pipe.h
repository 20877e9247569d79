// One direction of a proxied TCP connection: bytes read from one non-blocking socket on their
// way to another through a bounded buffer, and the source's end of stream passed on after them.
// The balancer (tcp_balancer.h) runs two per connection, one each way.
#pragma once

#include <cstddef>
#include <memory>

namespace i2kit {

class SocketPipe {
 public:
  enum class Flow {
    kIdle,    // nothing could move: each socket waits for its next readiness
    kMoved,   // bytes or a FIN moved: call again
    kBroken,  // a read, write or shutdown failed (reset, EPIPE): end the connection
  };

  // Moves what it can from `source` to `sink` without blocking; -1 for a side not connected
  // yet. At most `capacity` bytes wait; while they do, `source` is not read, so a slow sink
  // slows its source instead of growing memory. An empty pipe reads into `scratch` (capacity
  // bytes, shared by every pipe) and holds a buffer of its own only until those bytes are sent,
  // so idle connections hold none. Never raises SIGPIPE.
  Flow Move(int source, int sink, size_t capacity, char* scratch);

  // The source's FIN has reached the sink (its write side is shut down): this way is done.
  bool done() const { return shut_; }
  size_t buffered() const { return end_ - begin_; }

 private:
  std::unique_ptr<char[]> data_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;   // the source sent FIN
  bool shut_ = false;  // ...and it was passed on
};

}  // namespace i2kit
