#include "guest-agent/exec_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/names.h"
#include "common/pod_vm.h"
#include "common/sys_error.h"
#include "common/unique_fd.h"
#include "guest-agent/container_runtime.h"
#include "guest-agent/metadata_client.h"

namespace i2kit {
namespace {

// A request line must arrive this soon after the connection: a silent peer holds no session.
constexpr int kRequestTimeoutMs = 5000;

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool Send(int fd, ExecFrameType type, std::string_view data) {
  return WriteAll(fd, EncodeExecFrame(type, data));
}

// Reads the request line; what came after it (frames already sent) is left in `rest`.
Result<std::string> ReadRequestLine(int fd, std::string& rest) {
  std::string received;
  for (;;) {
    size_t end = received.find('\n');
    if (end != std::string::npos) {
      rest = received.substr(end + 1);
      return received.substr(0, end);
    }
    if (received.size() > kMaxExecRequestBytes) return Status::Error("request line too long");
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kRequestTimeoutMs) <= 0) return Status::Error("no request in time");
    char buffer[4096];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return Status::Error("connection closed before the request");
    received.append(buffer, static_cast<size_t>(n));
  }
}

// Copies between the connection and the process until its output ends, then reports its
// exit code. The host going away kills the process (and what it started).
void Pump(int socket, std::string pending, pid_t pid, UniqueFd in, UniqueFd out, UniqueFd err) {
  bool host_gone = false;
  auto take_frames = [&]() {
    for (;;) {
      Result<std::optional<ExecFrame>> frame = TakeExecFrame(pending);
      if (!frame.ok()) {
        host_gone = true;
        return;
      }
      if (!frame->has_value()) return;
      if ((*frame)->type == ExecFrameType::kStdin && in.valid()) {
        if (!WriteAll(in.get(), (*frame)->data)) in.reset();
      } else if ((*frame)->type == ExecFrameType::kStdinEnd) {
        in.reset();
      }
    }
  };
  take_frames();
  while (!host_gone && (out.valid() || err.valid())) {
    std::vector<pollfd> fds = {{socket, POLLIN, 0}};
    if (out.valid()) fds.push_back({out.get(), POLLIN, 0});
    if (err.valid()) fds.push_back({err.get(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    char buffer[16384];
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      ssize_t n = ::read(p.fd, buffer, sizeof buffer);
      if (p.fd == socket) {
        if (n <= 0) {
          host_gone = true;
          break;
        }
        pending.append(buffer, static_cast<size_t>(n));
        take_frames();
        continue;
      }
      UniqueFd& pipe = p.fd == out.get() ? out : err;
      if (n <= 0) {
        pipe.reset();
        continue;
      }
      ExecFrameType type = &pipe == &out ? ExecFrameType::kStdout : ExecFrameType::kStderr;
      if (!Send(socket, type, std::string_view(buffer, static_cast<size_t>(n)))) host_gone = true;
    }
  }
  if (host_gone) KillProcessTree(pid);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!host_gone) Send(socket, ExecFrameType::kExit, std::to_string(ExitCodeOf(status)));
}

// A new pseudo-terminal's master, unlocked, of `rows` x `cols` when known.
Result<UniqueFd> OpenTerminal(int rows, int cols) {
  UniqueFd master(::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master.valid()) master.reset(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master.valid()) return SysError("open", "/dev/ptmx");
  int unlock = 0;
  if (::ioctl(master.get(), TIOCSPTLCK, &unlock) != 0) return SysError("ioctl(TIOCSPTLCK)", "pty");
  if (rows > 0 && cols > 0) {
    winsize size{};
    size.ws_row = static_cast<unsigned short>(rows);
    size.ws_col = static_cast<unsigned short>(cols);
    ::ioctl(master.get(), TIOCSWINSZ, &size);
  }
  return master;
}

void Session(UniqueFd socket, const ExecServerOptions& options) {
  std::string rest;
  Result<std::string> line = ReadRequestLine(socket.get(), rest);
  if (!line.ok()) {
    Send(socket.get(), ExecFrameType::kError, line.status().message());
    return;
  }
  Result<ExecRequest> request = DecodeExecRequest(*line);
  if (!request.ok()) {
    Send(socket.get(), ExecFrameType::kError, request.status().message());
    return;
  }
  Result<std::string> key = options.key ? options.key() : Status::Error("no exec key");
  if (!key.ok() || key->empty() || !ExecKeysMatch(request->key, *key)) {
    // Says no more than that: a wrong key learns nothing of the right one, nor of the Pod.
    std::fprintf(stderr, "i2kit-agent: exec refused: %s\n",
                 key.ok() ? "wrong key" : key.status().message().c_str());
    Send(socket.get(), ExecFrameType::kError, "exec refused: not the host's key");
    return;
  }
  Result<std::vector<std::string>> argv = RuncExecArgv(options.runc, options.runc_root, *request);
  if (!argv.ok()) {
    Send(socket.get(), ExecFrameType::kError, argv.status().message());
    return;
  }
  std::fprintf(stderr, "i2kit-agent: exec in container %s: %s%s\n", request->container.c_str(),
               request->command.front().c_str(), request->tty ? " (terminal)" : "");
  if (request->tty) {
    // runc -t wants a terminal of its own to relay the container's from (it opens /dev/tty
    // otherwise): a pty whose other end is this session's side of the connection.
    Result<UniqueFd> master = OpenTerminal(request->rows, request->cols);
    if (!master.ok()) {
      Send(socket.get(), ExecFrameType::kError, master.status().message());
      return;
    }
    UniqueFd peer(::ioctl(master->get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    UniqueFd writer(::fcntl(master->get(), F_DUPFD_CLOEXEC, 0));
    if (!peer.valid() || !writer.valid()) {
      Send(socket.get(), ExecFrameType::kError, SysError("ioctl(TIOCGPTPEER)", "exec").message());
      return;
    }
    Result<pid_t> pid = SpawnProcess(*argv, peer.get(), peer.get(), peer.get());
    if (!pid.ok()) {
      Send(socket.get(), ExecFrameType::kError, pid.status().message());
      return;
    }
    peer.reset();
    // The master reads EIO once runc and the command have closed the terminal: the end.
    Pump(socket.get(), std::move(rest), *pid, std::move(writer), std::move(master).value(),
         UniqueFd());
    return;
  }
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    Send(socket.get(), ExecFrameType::kError, SysError("pipe2", "exec").message());
    return;
  }
  UniqueFd in_read(in[0]), in_write(in[1]), out_read(out[0]), out_write(out[1]), err_read(err[0]),
      err_write(err[1]);
  Result<pid_t> pid = SpawnProcess(*argv, in_read.get(), out_write.get(), err_write.get());
  if (!pid.ok()) {
    Send(socket.get(), ExecFrameType::kError, pid.status().message());
    return;
  }
  in_read.reset();
  out_write.reset();
  err_write.reset();
  Pump(socket.get(), std::move(rest), *pid, std::move(in_write), std::move(out_read),
       std::move(err_read));
}

}  // namespace

bool ExecKeysMatch(std::string_view given, std::string_view expected) {
  unsigned char differ = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    differ |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
  }
  return differ == 0;
}

Result<std::vector<std::string>> RuncExecArgv(const std::string& runc, const std::string& root,
                                              const ExecRequest& request) {
  if (std::string problem = CheckDns1123Label(request.container); !problem.empty()) {
    return Status::Error("container name '" + request.container + "': " + problem);
  }
  std::vector<std::string> argv = {runc, "--root", root, "exec"};
  if (request.tty) argv.push_back("--tty");
  for (const std::string& env : request.env) {
    if (env.find('=') == std::string::npos || env.front() == '=') {
      return Status::Error("environment entry '" + env + "' is not NAME=VALUE");
    }
    argv.push_back("--env");
    argv.push_back(env);
  }
  argv.push_back("--");
  argv.push_back(request.container);
  argv.insert(argv.end(), request.command.begin(), request.command.end());
  return argv;
}

Status RunExecServer(const ExecServerOptions& options) {
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener.valid()) return SysError("socket", "exec server");
  int one = 1;
  ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(options.port));
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return SysError("bind", "exec port " + std::to_string(options.port));
  }
  if (::listen(listener.get(), 8) != 0) return SysError("listen", "exec port");
  // Sessions are reaped by the kernel: nobody waits for them.
  ::signal(SIGCHLD, SIG_IGN);
  for (;;) {
    int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return SysError("accept4", "exec port");
    }
    UniqueFd connection(fd);
    pid_t pid = ::fork();
    if (pid == 0) {
      listener.reset();
      // The session waits for its own runc: children are reaped as usual again.
      ::signal(SIGCHLD, SIG_DFL);
      Session(std::move(connection), options);
      ::_exit(0);
    }
    if (pid < 0) std::fprintf(stderr, "i2kit-agent: exec: fork failed: %s\n", std::strerror(errno));
  }
}

AuxiliaryProcess ExecServerProcess(const std::string& runc, const std::string& runc_root,
                                   const std::string& metadata_address) {
  std::vector<std::string> argv = {"/proc/self/exe", "exec-server",
                                   "--port",         std::to_string(pod_vm::kExecPort),
                                   "--runc",         runc,
                                   "--runc-root",    runc_root,
                                   "--metadata",     metadata_address};
  return {"exec-server", [argv] { return SpawnProcess(argv, -1, 2, 2); }};
}

int ExecServerMain(int argc, char** argv) {
  ExecServerOptions options;
  options.port = pod_vm::kExecPort;
  std::string metadata;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--port")
      options.port = std::atoi(argv[i + 1]);
    else if (flag == "--runc")
      options.runc = argv[i + 1];
    else if (flag == "--runc-root")
      options.runc_root = argv[i + 1];
    else if (flag == "--metadata")
      metadata = argv[i + 1];
  }
  options.key = [metadata]() -> Result<std::string> {
    MetadataClient client(metadata, 80, std::chrono::seconds(5));
    return client.Get(pod_vm::kExecKeyPath);
  };
  Status status = RunExecServer(options);
  std::fprintf(stderr, "i2kit-agent: exec server: %s\n", status.message().c_str());
  return 1;
}

}  // namespace i2kit
