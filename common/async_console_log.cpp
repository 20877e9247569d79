#include "common/async_console_log.h"

#include <linux/capability.h>
#include <signal.h>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/sink.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/console_time.h"

namespace i2kit {
namespace {

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kOff:
      break;
  }
  return spdlog::level::off;
}

void WriteToConsole(std::string_view line) {
  std::string text(line);
  text.push_back('\n');
  for (size_t done = 0; done < text.size();) {
    ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // no console: nothing to tell it
    done += static_cast<size_t>(n);
  }
}

// The writer thread takes no signal (the kernel would hand PID 1's to any thread that does
// not block them) and drops every capability: writing the console needs none.
void ConfineWriterThread() {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct none[2] = {};
  ::syscall(SYS_capset, &header, none);  // per thread: the rest of the agent keeps its own
}

// Writes each line's text as it is after the time it was logged (console_time.h; no pattern:
// the console shows the lines as logged), first saying how many lines the queue overran since the
// last line it wrote.
class LineSink final : public spdlog::sinks::sink {
 public:
  LineSink(std::string program, std::function<void(std::string_view)> write)
      : program_(std::move(program)), write_(std::move(write)) {}
  // The pool whose overruns to report: it outlives every call of log(), which only its own
  // thread makes, joined in its destructor.
  void SetPool(spdlog::details::thread_pool* pool) { pool_ = pool; }

  void log(const spdlog::details::log_msg& msg) override {
    if (pool_ != nullptr) {
      // spdlog 1.10 counts overruns for good (no reset): report the growth.
      uint64_t overrun = pool_->overrun_counter();
      if (overrun > reported_) {
        write_(FormatConsoleTime(msg.time) + program_ + ": " + std::to_string(overrun - reported_) +
               " lines dropped (console too slow)");
        reported_ = overrun;
      }
    }
    write_(FormatConsoleTime(msg.time) + std::string(msg.payload.data(), msg.payload.size()));
  }
  void flush() override {}
  void set_pattern(const std::string&) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

 private:
  std::string program_;
  std::function<void(std::string_view)> write_;
  spdlog::details::thread_pool* pool_ = nullptr;
  uint64_t reported_ = 0;
};

}  // namespace

struct AsyncConsoleLog::Impl {
  std::shared_ptr<spdlog::details::thread_pool> pool;
  std::shared_ptr<spdlog::async_logger> logger;
};

AsyncConsoleLog::AsyncConsoleLog(AsyncConsoleLogOptions options) : impl_(std::make_unique<Impl>()) {
  auto write = options.write ? std::move(options.write) : WriteToConsole;
  auto sink = std::make_shared<LineSink>(options.program, std::move(write));
  impl_->pool = std::make_shared<spdlog::details::thread_pool>(
      std::max<size_t>(options.queue_lines, 1), 1, ConfineWriterThread);
  sink->SetPool(impl_->pool.get());
  impl_->logger = std::make_shared<spdlog::async_logger>(
      options.program, std::move(sink), impl_->pool, spdlog::async_overflow_policy::overrun_oldest);
  impl_->logger->set_level(ToSpdlog(options.level));
}

AsyncConsoleLog::~AsyncConsoleLog() {
  // The pool's destructor queues its stop behind every line and joins the thread.
  impl_->logger.reset();
  impl_->pool.reset();
}

void AsyncConsoleLog::Log(LogLevel level, std::string_view line) {
  impl_->logger->log(ToSpdlog(level), spdlog::string_view_t(line.data(), line.size()));
}

uint64_t AsyncConsoleLog::dropped() const {
  return impl_->pool->overrun_counter();
}

std::string EscapeControlBytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte >= 0x20 && byte != 0x7f) || c == '\t') {
      out.push_back(c);
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (byte == 0x1b) {
      out += "\\e";
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  return out;
}

}  // namespace i2kit
