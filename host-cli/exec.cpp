// i2kit-host exec [-i] [-t] NAME[/REPLICA] [-c CONTAINER] -- COMMAND…: runs a command in a
// running container of a local Pod VM, through the agent's exec server (guest-agent/
// exec_server.h) and `runc exec`, so with the container's own user, capabilities, seccomp
// filter and namespaces. The replica's exec key (metadata_service.h ExecKeyFor) proves the
// caller is its host; the command's exit code is exec's.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "common/exec_frames.h"
#include "common/sys_error.h"
#include "common/unique_fd.h"
#include "host-cli/command.h"
#include "host-cli/running_target.h"
#include "local-vm/console_log.h"
#include "local-vm/metadata_service.h"
#include "local-vm/readiness.h"
#include "local-vm/state_dir.h"

namespace i2kit {
namespace {

struct ExecOptions {
  std::string name;
  std::string container;
  std::vector<std::string> command;
  bool stdin_open = false;
  bool tty = false;
};

// The running replica `name` names: that one, or the deployment's first that runs.
Result<ReplicaEntry> ChooseReplica(const StateDir& state, const ReplicaName& name) {
  Result<std::vector<ReplicaEntry>> entries = state.List(name.deployment);
  if (!entries.ok()) return entries.status();
  for (const ReplicaEntry& entry : *entries) {
    if (name.replica && entry.replica != *name.replica) continue;
    if (entry.state == ReplicaState::kRunning && entry.record) return entry;
  }
  std::string what = name.deployment + (name.replica ? "/" + std::to_string(*name.replica) : "");
  return Status::Error("no running VM named " + what + " (see 'i2kit-host ps')");
}

// The Pod's first app container, as its agent lists them: kubectl's default too.
Result<std::string> FirstContainer(const ReplicaRecord& record) {
  std::optional<std::string> body =
      FetchLocal(record.agent_port, "/status", std::chrono::milliseconds(2000));
  nlohmann::json status =
      body ? nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false) : nlohmann::json();
  if (status.is_object() && status.contains("containers") && status["containers"].is_array() &&
      !status["containers"].empty() && status["containers"][0].contains("name")) {
    return status["containers"][0]["name"].get<std::string>();
  }
  return Status::Error(record.deployment + "/" + std::to_string(record.replica) +
                       "'s agent did not answer: name the container with -c");
}

Result<UniqueFd> ConnectLoopback(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return SysError("socket", "exec");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return SysError("connect", "127.0.0.1:" + std::to_string(port));
  }
  return fd;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// The local terminal in raw mode while a remote one is attached (keys go through as typed,
// Ctrl-C included), restored however exec ends.
class RawTerminal {
 public:
  explicit RawTerminal(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    termios raw = saved_;
    ::cfmakeraw(&raw);
    active_ = ::tcsetattr(fd_, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

ExitCode Fail(Console& console, const std::string& message) {
  console.err << "error: " << message << "\n";
  return ExitCode::kFailure;
}

ExitCode RunExec(const ExecOptions& options, Console& console) {
  StateDir state(StateDir::DefaultRoot());
  Result<RunningTarget> target = ResolveRunningTarget(state, options.name, /*accept_paths=*/false);
  if (!target.ok()) {
    console.err << "error: " << target.status().message() << "\n";
    return ExitCode::kUsage;
  }
  Result<ReplicaEntry> entry = ChooseReplica(state, target->name);
  if (!entry.ok()) return Fail(console, entry.status().message());
  const ReplicaRecord& record = *entry->record;
  if (record.exec_port == 0) {
    return Fail(console, entry->name() + " was started before exec existed: run it again");
  }
  Result<std::string> metadata_key = ReadLogTail(entry->dir + "/" + kMetadataKeyFile, 4096);
  if (!metadata_key.ok()) return Fail(console, metadata_key.status().message());

  ExecRequest request;
  request.key = ExecKeyFor(*metadata_key);
  request.command = options.command;
  request.tty = options.tty;
  if (options.tty) {
    const char* term = std::getenv("TERM");
    request.env.push_back(std::string("TERM=") + (term != nullptr && *term ? term : "xterm"));
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 ||
        ::ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0) {
      request.rows = size.ws_row;
      request.cols = size.ws_col;
    }
  }
  if (options.container.empty()) {
    Result<std::string> first = FirstContainer(record);
    if (!first.ok()) return Fail(console, first.status().message());
    request.container = *first;
  } else {
    request.container = options.container;
  }
  Result<UniqueFd> socket = ConnectLoopback(record.exec_port);
  if (!socket.ok()) return Fail(console, socket.status().message());
  std::string hello = EncodeExecRequest(request);
  if (!options.stdin_open) hello += EncodeExecFrame(ExecFrameType::kStdinEnd, "");
  if (!SendAll(socket->get(), hello))
    return Fail(console, entry->name() + ": exec connection lost");

  std::optional<RawTerminal> raw;
  if (options.tty && options.stdin_open && ::isatty(STDIN_FILENO)) raw.emplace(STDIN_FILENO);
  bool reading_stdin = options.stdin_open;
  std::string received;
  char buffer[16384];
  for (;;) {
    std::vector<pollfd> fds = {{socket->get(), POLLIN, 0}};
    if (reading_stdin) fds.push_back({STDIN_FILENO, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return Fail(console, SysError("poll", "exec").message());
    }
    if (reading_stdin && fds[1].revents != 0) {
      ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
      std::string frame = n > 0 ? EncodeExecFrame(ExecFrameType::kStdin,
                                                  std::string_view(buffer, static_cast<size_t>(n)))
                                : EncodeExecFrame(ExecFrameType::kStdinEnd, "");
      if (n <= 0) reading_stdin = false;
      if (!SendAll(socket->get(), frame)) reading_stdin = false;
    }
    if (fds[0].revents == 0) continue;
    ssize_t n = ::read(socket->get(), buffer, sizeof buffer);
    if (n <= 0) {
      raw.reset();
      return Fail(console, entry->name() + ": the exec connection closed before the command ended");
    }
    received.append(buffer, static_cast<size_t>(n));
    for (;;) {
      Result<std::optional<ExecFrame>> frame = TakeExecFrame(received);
      if (!frame.ok()) {
        raw.reset();
        return Fail(console, frame.status().message());
      }
      if (!frame->has_value()) break;
      const ExecFrame& f = **frame;
      switch (f.type) {
        case ExecFrameType::kStdout:
          console.out.write(f.data.data(), static_cast<std::streamsize>(f.data.size()));
          console.out.flush();
          break;
        case ExecFrameType::kStderr:
          console.err.write(f.data.data(), static_cast<std::streamsize>(f.data.size()));
          console.err.flush();
          break;
        case ExecFrameType::kExit:
          raw.reset();
          return static_cast<ExitCode>(std::atoi(f.data.c_str()));
        case ExecFrameType::kError:
          raw.reset();
          return Fail(console, entry->name() + ": " + f.data);
        default:
          break;
      }
    }
  }
}

}  // namespace

CommandRunner SetupExec(CLI::App& sub) {
  auto options = std::make_shared<ExecOptions>();
  sub.add_option("name", options->name,
                 "DEPLOYMENT (its first running replica) or DEPLOYMENT/REPLICA")
      ->required();
  sub.add_option("command", options->command, "The command and its arguments, after --")
      ->required();
  sub.add_option("-c,--container", options->container,
                 "The container (default: the Pod's first app container)");
  sub.add_flag("-i,--stdin", options->stdin_open, "Pass stdin to the command");
  sub.add_flag("-t,--tty", options->tty, "Give the command a terminal");
  sub.footer(
      "The command runs as the container's own user, with its capabilities, seccomp filter and "
      "namespaces. Exit status: the command's; 1 when it could not run, 2 usage error.");
  return [options](Console& console) { return RunExec(*options, console); };
}

}  // namespace i2kit
