// A console logger that never makes its caller wait (spdlog's asynchronous logger): lines go
// to the console through a bounded queue written by a thread of its own, so PID 1 (the agent:
// its own events and the containers' output) and the EC2 reporter never wait on the serial
// console. When the console cannot keep up the oldest queued lines are dropped, and the writer
// says "PROGRAM: N lines dropped" before the next line it writes. Each line starts with the time
// it was logged (console_time.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/log_level.h"

namespace i2kit {

struct AsyncConsoleLogOptions {
  LogLevel level = LogLevel::kInfo;     // lines below it are not queued at all
  std::string program = "i2kit-agent";  // names the notice of dropped lines
  // Lines the queue holds; spdlog allocates the slots (408 bytes each) up front: ~200 KiB.
  size_t queue_lines = 512;
  // Writes one line (its time first, without its '\n') on the logger's thread; empty: the
  // console (stdout).
  std::function<void(std::string_view line)> write;
};

class AsyncConsoleLog {
 public:
  // Starts the writer thread, which blocks every signal (they are PID 1's to take) and holds
  // no capability (it only writes).
  explicit AsyncConsoleLog(AsyncConsoleLogOptions options = {});
  // Writes what is still queued, then stops the thread.
  ~AsyncConsoleLog();
  AsyncConsoleLog(const AsyncConsoleLog&) = delete;
  AsyncConsoleLog& operator=(const AsyncConsoleLog&) = delete;

  // Queues `line` when `level` passes; never blocks (a full queue drops its oldest line).
  void Log(LogLevel level, std::string_view line);
  // The lines dropped so far because the queue was full.
  uint64_t dropped() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `text` with every control byte but TAB written as \r, \n, \e or \xHH, so that a container's
// line cannot move the console's cursor, start a line of its own or colour what follows.
std::string EscapeControlBytes(std::string_view text);

}  // namespace i2kit
