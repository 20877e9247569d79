#include "image-builder/run_tool.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstring>

#include "common/sys_error.h"
#include "common/unique_fd.h"

extern char** environ;

namespace i2kit {
namespace {

constexpr size_t kMaxCaptured = 1 << 20;
constexpr size_t kStderrInError = 2000;

// Owns a posix_spawn_file_actions_t.
class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&actions_); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// Reads both pipes until the child closes them, keeping at most kMaxCaptured bytes of each.
Status Drain(int out_fd, int err_fd, ToolOutput& output, const std::string& tool) {
  std::array<pollfd, 2> fds{pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
  std::array<std::string*, 2> sinks{&output.out, &output.err};
  std::array<char, 1 << 16> buffer;
  int open_pipes = 2;
  while (open_pipes > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return SysError("poll", tool);
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_pipes;
        continue;
      }
      std::string& sink = *sinks[i];
      sink.append(buffer.data(), std::min(static_cast<size_t>(n), kMaxCaptured - sink.size()));
    }
  }
  return Status::Ok();
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return std::string("was killed by SIG") + (name != nullptr ? name : "?");
  }
  return "ended with wait status " + std::to_string(status);
}

}  // namespace

// posix_spawnp rather than a hand-written fork/exec: it reports a failed exec as an error
// value, and is safe to call from a threaded process.
Result<ToolOutput> RunTool(const std::vector<std::string>& argv) {
  return RunTool(argv, "/dev/null");
}

Result<ToolOutput> RunTool(const std::vector<std::string>& argv, const std::string& stdin_path) {
  if (argv.empty()) return Status::Error("RunTool: empty command");
  const std::string& tool = argv[0];
  std::array<int, 2> out_pipe{};
  std::array<int, 2> err_pipe{};
  if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0) return SysError("pipe2", tool);
  UniqueFd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (::pipe2(err_pipe.data(), O_CLOEXEC) != 0) return SysError("pipe2", tool);
  UniqueFd err_read(err_pipe[0]), err_write(err_pipe[1]);

  FileActions actions;
  // dup2 clears close-on-exec on the targets; everything else the caller has open stays
  // closed in the tool, whether or not it was opened with O_CLOEXEC.
  if (posix_spawn_file_actions_addopen(actions.get(), 0, stdin_path.c_str(), O_RDONLY, 0) != 0 ||
      posix_spawn_file_actions_adddup2(actions.get(), out_write.get(), 1) != 0 ||
      posix_spawn_file_actions_adddup2(actions.get(), err_write.get(), 2) != 0 ||
      posix_spawn_file_actions_addclosefrom_np(actions.get(), 3) != 0) {
    return Status::Error("posix_spawn_file_actions for " + tool + " failed");
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  pid_t pid = -1;
  int spawn_error =
      ::posix_spawnp(&pid, tool.c_str(), actions.get(), nullptr, args.data(), environ);
  if (spawn_error != 0) return SysError("posix_spawnp", tool, spawn_error);
  out_write.reset();
  err_write.reset();

  ToolOutput output;
  Status drained = Drain(out_read.get(), err_read.get(), output, tool);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return SysError("waitpid", tool);
  }
  if (!drained.ok()) return drained;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return output;

  std::string message = tool + " " + DescribeExit(status);
  std::string_view err = output.err;
  if (err.size() > kStderrInError) err = err.substr(err.size() - kStderrInError);
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.remove_suffix(1);
  if (!err.empty()) message += ": " + std::string(err);
  return Status::Error(std::move(message));
}

}  // namespace i2kit
