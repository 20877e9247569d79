#include "local-vm/rotating_log.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <streambuf>

#include "common/sys_error.h"

namespace i2kit {
namespace {

std::string OlderFile(const std::string& path, size_t index) {
  return spdlog::sinks::rotating_file_sink_st::calc_filename(path, index);
}

// Hands each whole line written to it to the logger.
class LineBuffer final : public std::streambuf {
 public:
  explicit LineBuffer(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}
  ~LineBuffer() override {
    if (!line_.empty()) Emit();
  }

 protected:
  int_type overflow(int_type c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    Put(traits_type::to_char_type(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) Put(s[i]);
    return n;
  }

 private:
  void Put(char c) {
    if (c == '\n')
      Emit();
    else
      line_.push_back(c);
  }
  void Emit() {
    logger_->info(line_);
    line_.clear();
  }
  std::shared_ptr<spdlog::logger> logger_;
  std::string line_;
};

}  // namespace

struct RotatingLogStream::Impl {
  std::shared_ptr<spdlog::logger> logger;
  LineBuffer buffer;
  std::ostream stream;
  explicit Impl(std::shared_ptr<spdlog::logger> l)
      : logger(l), buffer(std::move(l)), stream(&buffer) {}
};

RotatingLogStream::RotatingLogStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RotatingLogStream::~RotatingLogStream() = default;

std::ostream& RotatingLogStream::stream() {
  return impl_->stream;
}

Result<std::unique_ptr<RotatingLogStream>> RotatingLogStream::Open(const std::string& path,
                                                                   RotationLimits limits) {
  std::shared_ptr<spdlog::sinks::rotating_file_sink_st> sink;
  try {  // spdlog reports a file it cannot open by throwing: turned into a value here
    sink = std::make_shared<spdlog::sinks::rotating_file_sink_st>(path, limits.max_bytes,
                                                                  limits.max_files);
  } catch (const spdlog::spdlog_ex& e) {
    return Status::Error(std::string("opening the log ") + path + ": " + e.what());
  }
  auto logger = std::make_shared<spdlog::logger>("i2kit-host", std::move(sink));
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %v");
  logger->set_level(spdlog::level::trace);  // EventLog filters by level; everything it writes goes
  logger->flush_on(spdlog::level::trace);   // an operator tails it: every line at once
  return std::make_unique<RotatingLogStream>(std::make_unique<Impl>(std::move(logger)));
}

std::vector<std::string> RotatedPaths(const std::string& path, RotationLimits limits) {
  std::vector<std::string> paths;
  for (size_t i = 1; i <= limits.max_files; ++i) paths.push_back(OlderFile(path, i));
  return paths;
}

Status RotateAppendedFile(const std::string& path, RotationLimits limits) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return SysError("stat", path);
  }
  if (static_cast<size_t>(st.st_size) <= limits.max_bytes) return Status::Ok();
  if (limits.max_files > 0) {
    for (size_t i = limits.max_files - 1; i >= 1; --i) {
      if (::rename(OlderFile(path, i).c_str(), OlderFile(path, i + 1).c_str()) != 0 &&
          errno != ENOENT) {
        return SysError("rename", OlderFile(path, i));
      }
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::string first = OlderFile(path, 1);
    std::ofstream out(first, std::ios::binary | std::ios::trunc);
    out << text.str();
    if (!out.flush()) return Status::Error("cannot write " + first);
  }
  if (::truncate(path.c_str(), 0) != 0) return SysError("truncate", path);
  return Status::Ok();
}

}  // namespace i2kit
