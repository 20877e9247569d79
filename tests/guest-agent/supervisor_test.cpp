// The supervisor on the host, with containers played by shell processes: restarts, probes,
// the health endpoint and the shutdown order, without a VM or root.
#include "guest-agent/supervisor.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/async_console_log.h"

namespace i2kit {
namespace {

// Runs each container as `/bin/sh -c SCRIPT`.
class ShellRuntime : public ContainerRuntime {
 public:
  explicit ShellRuntime(std::map<std::string, std::string> scripts)
      : scripts_(std::move(scripts)) {}
  Result<pid_t> Start(const std::string& name, int out, int err) override {
    ++starts[name];
    return SpawnProcess({"/bin/sh", "-c", scripts_.at(name)}, -1, out, err);
  }
  void Cleanup(const std::string& name) override { ++cleanups[name]; }
  std::vector<std::string> ExecArgv(const std::string&,
                                    const std::vector<std::string>& command) override {
    std::vector<std::string> argv = {"/bin/sh", "-c"};
    std::string line;
    for (const std::string& word : command) line += word + " ";
    argv.push_back(line);
    return argv;
  }
  std::map<std::string, int> starts, cleanups;

 private:
  std::map<std::string, std::string> scripts_;
};

Deployment Pod(std::vector<std::string> names, int grace_seconds = 2) {
  Deployment d;
  d.name = "pod";
  d.termination_grace_period_seconds = grace_seconds;
  for (const std::string& n : names) {
    Container c;
    c.name = n;
    d.containers.push_back(c);
  }
  return d;
}

// A Pod of one container, "app", whose readiness is the exec probe `command`, run every second.
Deployment ProbedPod(std::vector<std::string> command) {
  Deployment pod = Pod({"app"});
  Probe probe;
  probe.action = ProbeAction::kExec;
  probe.command = std::move(command);
  probe.period_seconds = 1;
  pod.containers[0].readiness_probe = probe;
  return pod;
}

// Connects to 127.0.0.1:port from `source` (a loopback address).
int ConnectFrom(const char* source, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string HttpGet(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  std::string request = "GET " + path + " HTTP/1.1\r\n\r\n";
  ::send(fd, request.data(), request.size(), 0);
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0)
    response.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return response;
}

// Runs the supervisor in this thread; `during` runs in another thread once the health port is
// known, then the pod gets SIGTERM. Signals are blocked in both threads, so they reach only
// the supervisor's signalfd.
std::vector<std::string> RunPod(Supervisor& supervisor, const std::function<void(int)>& during) {
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGPWR}) sigaddset(&mask, sig);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  std::thread driver([&] {
    while (supervisor.health_port() <= 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    during(supervisor.health_port());
    ::kill(::getpid(), SIGTERM);
  });
  Status status = supervisor.Run();
  driver.join();
  EXPECT_TRUE(status.ok()) << status.message();
  return supervisor.logs().Lines();
}

SupervisorOptions Options(std::vector<std::string>* console, std::mutex* mu) {
  SupervisorOptions options;
  options.health_port = 0;
  options.health_address = "127.0.0.1";
  options.console = [console, mu](LogLevel, const std::string& line) {
    std::lock_guard<std::mutex> lock(*mu);
    console->push_back(line);
  };
  return options;
}

TEST(SupervisorTest, ServesReadinessAndPrefixedOutputUntilSigterm) {
  ShellRuntime runtime({{"web", "echo hello; exec sleep 30"}, {"side", "exec sleep 30"}});
  Deployment pod = Pod({"web", "side"});
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string readyz, status;
  std::vector<std::string> lines = RunPod(supervisor, [&](int port) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    readyz = HttpGet(port, "/readyz");
    status = HttpGet(port, "/status");
  });
  EXPECT_NE(readyz.find("200 OK"), std::string::npos) << readyz;
  EXPECT_NE(status.find("\"state\":\"running\""), std::string::npos) << status;
  // The agent's own confinement, read from /proc/self/status when asked.
  EXPECT_NE(status.find("\"agent\":{\"capBnd\":\""), std::string::npos) << status;
  EXPECT_EQ(supervisor.logs().Lines("web"), std::vector<std::string>{"web: hello"});
  // The agent's own events are in the buffer too (the EC2 reporter ships them).
  EXPECT_NE(std::find_if(lines.begin(), lines.end(),
                         [](const std::string& line) {
                           return line.starts_with("i2kit-agent: container web started pid=");
                         }),
            lines.end());
  EXPECT_EQ(runtime.cleanups["web"], 1);
  std::lock_guard<std::mutex> lock(mu);
  // The ready marker the host waits for, with the guest's uptime after it.
  EXPECT_NE(std::find_if(console.begin(), console.end(),
                         [](const std::string& line) {
                           return line.rfind("i2kit-agent: pod ready, ", 0) == 0 &&
                                  line.find(" s after boot") != std::string::npos;
                         }),
            console.end());
}

TEST(SupervisorTest, AHundredHeldConnectionsFromOnePeerDoNotStarveAnother) {
  ShellRuntime runtime(std::map<std::string, std::string>{{"web", "exec sleep 30"}});
  Deployment pod = Pod({"web"});
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string answer;
  std::chrono::milliseconds waited{};
  RunPod(supervisor, [&](int port) {
    std::vector<int> held;  // connected, never asking anything
    for (int i = 0; i < 100; ++i) held.push_back(ConnectFrom("127.0.0.1", port));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto start = std::chrono::steady_clock::now();
    int fd = ConnectFrom("127.0.0.2", port);
    const std::string request = "GET /healthz HTTP/1.0\r\n\r\n";
    ::send(fd, request.data(), request.size(), 0);
    char buffer[512];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) answer.assign(buffer, static_cast<size_t>(n));
    waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    ::close(fd);
    for (int h : held) ::close(h);
  });
  EXPECT_NE(answer.find("200 OK"), std::string::npos) << answer;
  // Held connections are dropped after 2 s; the other peer must not wait for that.
  EXPECT_LT(waited.count(), 1000);
}

TEST(SupervisorTest, ACrashedContainerBacksOffInsteadOfRestartingAtOnce) {
  ShellRuntime runtime(std::map<std::string, std::string>{{"crash", "echo dying; exit 3"}});
  Deployment pod = Pod({"crash"});
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string status, readyz;
  RunPod(supervisor, [&](int port) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    status = HttpGet(port, "/status");
    readyz = HttpGet(port, "/readyz");
  });
  EXPECT_NE(status.find("\"state\":\"backoff\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"lastExitCode\":3"), std::string::npos) << status;
  EXPECT_NE(status.find("\"reason\":\"CrashLoopBackOff\""), std::string::npos) << status;
  EXPECT_NE(readyz.find("503"), std::string::npos) << readyz;
  EXPECT_EQ(runtime.starts["crash"], 1);  // the next start is 10 s away
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(std::find(console.begin(), console.end(),
                      "i2kit-agent: container crash exited code=3 restarts=1 backoff=10s"),
            console.end());
}

TEST(SupervisorTest, ReadinessFollowsTheExecProbe) {
  std::string flag = ::testing::TempDir() + "/ready-" + std::to_string(::getpid());
  std::filesystem::remove(flag);
  ShellRuntime runtime(std::map<std::string, std::string>{{"app", "exec sleep 30"}});
  Deployment pod = ProbedPod({"test", "-f", flag});
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string before, after;
  RunPod(supervisor, [&](int port) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    before = HttpGet(port, "/readyz");
    std::ofstream(flag) << "ok";
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    after = HttpGet(port, "/readyz");
  });
  std::filesystem::remove(flag);
  EXPECT_NE(before.find("503"), std::string::npos) << before;
  EXPECT_NE(after.find("200 OK"), std::string::npos) << after;
}

TEST(SupervisorTest, AReadyzThatWaitsIsAnsweredTheMomentThePodIsReady) {
  std::string flag = ::testing::TempDir() + "/wait-ready-" + std::to_string(::getpid());
  std::filesystem::remove(flag);
  ShellRuntime runtime(std::map<std::string, std::string>{{"app", "exec sleep 30"}});
  Deployment pod = ProbedPod({"test", "-f", flag});
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string held;
  std::chrono::steady_clock::time_point flagged, answered;
  RunPod(supervisor, [&](int port) {
    std::thread marker([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(1200));
      flagged = std::chrono::steady_clock::now();
      std::ofstream(flag) << "ok";
    });
    held = HttpGet(port, "/readyz?wait=20");
    answered = std::chrono::steady_clock::now();
    marker.join();
  });
  std::filesystem::remove(flag);
  EXPECT_NE(held.find("200 OK"), std::string::npos) << held;
  // Held until the probe saw the file (its next run, within its 1 s period), not answered
  // "not ready" at once, nor at the end of the wait.
  EXPECT_GT(answered, flagged);
  EXPECT_LT(answered - flagged, std::chrono::milliseconds(2500));
}

TEST(SupervisorTest, AContainerWithoutReadinessProbeIsReadyOnceItsDeclaredPortListens) {
  // A free port, listened on only later, as a server still starting would.
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t size = sizeof addr;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &size), 0);
  ShellRuntime runtime(std::map<std::string, std::string>{{"web", "exec sleep 30"}});
  Deployment pod = Pod({"web"});
  pod.containers[0].ports.push_back({"", ntohs(addr.sin_port), Protocol::kTcp, {}});
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string held;
  std::chrono::steady_clock::time_point listening, answered;
  RunPod(supervisor, [&](int port) {
    std::thread server([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(800));
      listening = std::chrono::steady_clock::now();
      ::listen(listener, 8);
    });
    held = HttpGet(port, "/readyz?wait=20");
    answered = std::chrono::steady_clock::now();
    server.join();
  });
  ::close(listener);
  EXPECT_NE(held.find("200 OK"), std::string::npos) << held;
  // Not ready while the container ran but nothing listened; ready within a few of the
  // agent's 50 ms looks after.
  EXPECT_GT(answered, listening);
  EXPECT_LT(answered - listening, std::chrono::milliseconds(500));
}

TEST(SupervisorTest, AReadyzThatWaitsIsAnsweredNotReadyWhenItsWaitIsOver) {
  ShellRuntime runtime(std::map<std::string, std::string>{{"app", "exec sleep 30"}});
  Deployment pod = ProbedPod({"false"});
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string answer, healthz;
  std::chrono::milliseconds waited{};
  RunPod(supervisor, [&](int port) {
    auto start = std::chrono::steady_clock::now();
    std::thread other([&] { healthz = HttpGet(port, "/healthz"); });
    answer = HttpGet(port, "/readyz?wait=1");
    waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    other.join();
  });
  EXPECT_NE(answer.find("503"), std::string::npos) << answer;
  EXPECT_GE(waited.count(), 900);
  EXPECT_LT(waited.count(), 3000);
  // A held request holds nobody else up.
  EXPECT_NE(healthz.find("200 OK"), std::string::npos) << healthz;
}

TEST(SupervisorTest, StatusCarriesTheBootTimelineOnTheGuestClocks) {
  ShellRuntime runtime(std::map<std::string, std::string>{{"web", "exec sleep 30"}});
  Deployment pod = Pod({"web"});
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string status;
  RunPod(supervisor, [&](int port) {
    (void)HttpGet(port, "/readyz?wait=10");
    status = HttpGet(port, "/status");
  });
  nlohmann::json body = nlohmann::json::parse(status.substr(status.find("\r\n\r\n") + 4));
  std::vector<std::string> phases;
  double last = 0;
  for (const nlohmann::json& mark : body["boot"]["marks"]) {
    phases.push_back(mark["phase"]);
    EXPECT_GE(mark["boottime"].get<double>(), last) << mark;
    last = mark["boottime"].get<double>();
    EXPECT_GT(mark["realtime"].get<double>(), 1.7e9) << mark;
  }
  EXPECT_EQ(phases, (std::vector<std::string>{"kernel-started", "init", "agent-ready",
                                              "container-runc:web", "container-started:web",
                                              "container-ready:web", "pod-ready"}));
  // The clocks at the answer, to map the marks onto the host's.
  EXPECT_GE(body["boot"]["boottime"].get<double>(), last);
}

TEST(SupervisorTest, KillsWhatIgnoresSigtermAfterTheGracePeriod) {
  ShellRuntime runtime(std::map<std::string, std::string>{
      {"stubborn", "trap '' TERM; while :; do sleep 0.1; done"}});
  Deployment pod = Pod({"stubborn"}, /*grace_seconds=*/1);
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  auto start = std::chrono::steady_clock::now();
  RunPod(supervisor, [](int) { std::this_thread::sleep_for(std::chrono::milliseconds(200)); });
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(1100));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(
      std::find(console.begin(), console.end(),
                "i2kit-agent: container stubborn did not stop within the grace period: SIGKILL"),
      console.end());
  EXPECT_NE(
      std::find(console.begin(), console.end(), "i2kit-agent: container stubborn stopped code=137"),
      console.end());
}

// A one-container Pod ("web", sleeping) with one auxiliary process "reporter" played by
// `script`, run until `during` returns; what the console printed and how often it started.
struct AuxiliaryRun {
  std::vector<std::string> console;
  int starts = 0;
  std::string readyz;
  bool Printed(const std::string& text) const {
    return std::any_of(console.begin(), console.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
  }
};
AuxiliaryRun RunWithAuxiliary(const std::string& script, std::chrono::milliseconds during) {
  ShellRuntime runtime(std::map<std::string, std::string>{{"web", "exec sleep 30"}});
  Deployment pod = Pod({"web"});
  AuxiliaryRun run;
  std::mutex mu;
  SupervisorOptions options = Options(&run.console, &mu);
  options.auxiliaries.push_back({"reporter", [&run, script]() -> Result<pid_t> {
                                   ++run.starts;
                                   return SpawnProcess({"/bin/sh", "-c", script}, -1, -1, -1);
                                 }});
  Supervisor supervisor(pod, 0, runtime, options);
  RunPod(supervisor, [&](int port) {
    std::this_thread::sleep_for(during);
    run.readyz = HttpGet(port, "/readyz");
  });
  EXPECT_EQ(runtime.starts["web"], 1);
  std::lock_guard<std::mutex> lock(mu);
  return run;
}

TEST(SupervisorTest, AnAuxiliaryThatFailsBacksOffAndTheContainersKeepRunning) {
  AuxiliaryRun run = RunWithAuxiliary("exit 3", std::chrono::milliseconds(500));
  EXPECT_EQ(run.starts, 1);  // the first restart waits 10 s
  EXPECT_NE(run.readyz.find("200"), std::string::npos) << run.readyz;
  EXPECT_TRUE(run.Printed("reporter exited code=3 backoff=10s"));
}

TEST(SupervisorTest, AnAuxiliaryThatExitsZeroIsNotStartedAgain) {
  AuxiliaryRun run = RunWithAuxiliary("exit 0", std::chrono::milliseconds(1500));
  EXPECT_EQ(run.starts, 1);
  EXPECT_TRUE(run.Printed("reporter exited code=0"));
}

TEST(SupervisorTest, ShutdownStopsARunningAuxiliaryToo) {
  auto began = std::chrono::steady_clock::now();
  AuxiliaryRun run = RunWithAuxiliary("exec sleep 30", std::chrono::milliseconds(300));
  // SIGTERM ends `sleep` at once: no wait for the 2 s grace period's SIGKILL.
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(2));
  EXPECT_TRUE(run.Printed("reporter exited code=143"));
}

// Issue 15's chatty container: `yes` beside a quiet one, the console an AsyncConsoleLog whose every
// line takes 10 ms. The health endpoint keeps answering at once, the flood is cut to the rate
// limit and said so, and the shutdown is not held up by the backlog.
TEST(SupervisorTest, AFloodingContainerStallsNeitherTheHealthEndpointNorTheShutdown) {
  using Clock = std::chrono::steady_clock;
  ShellRuntime runtime({{"flood", "exec yes"}, {"web", "echo up; exec sleep 30"}});
  Deployment pod = Pod({"flood", "web"});
  std::mutex mu;
  std::vector<std::string> written;
  AsyncConsoleLogOptions log_options;
  log_options.queue_lines = 64;
  log_options.write = [&](std::string_view line) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::lock_guard lock(mu);
    written.emplace_back(line);
  };
  Clock::duration slowest{};
  uint64_t console_dropped = 0;
  Clock::duration run_took{};
  {
    AsyncConsoleLog log(log_options);
    SupervisorOptions options;
    options.health_port = 0;
    options.health_address = "127.0.0.1";
    options.console = [&log](LogLevel level, const std::string& line) { log.Log(level, line); };
    options.lines_per_second = 100;
    options.line_burst = 100;
    Supervisor supervisor(pod, 0, runtime, options);
    Clock::time_point start = Clock::now();
    RunPod(supervisor, [&](int port) {
      for (int i = 0; i < 20; ++i) {
        Clock::time_point asked = Clock::now();
        std::string answer = HttpGet(port, "/healthz");
        slowest = std::max(slowest, Clock::now() - asked);
        EXPECT_NE(answer.find("200 OK"), std::string::npos) << answer;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
    run_took = Clock::now() - start;
    console_dropped = log.dropped();
    // At most the burst plus the rate for the ~2 s it ran, not the millions `yes` wrote.
    EXPECT_LT(supervisor.logs().Lines("flood").size(), 100u + 100u * 4);
    EXPECT_EQ(supervisor.logs().Lines("web"), std::vector<std::string>{"web: up"});
    std::vector<std::string> events = supervisor.logs().Lines("i2kit-agent");
    EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const std::string& l) {
      return l.starts_with("i2kit-agent: container flood: ") &&
             l.ends_with(" lines dropped (over 100 lines/s)");
    })) << "no rate-limit notice";
  }
  EXPECT_LT(slowest, std::chrono::milliseconds(500));
  EXPECT_LT(run_took, std::chrono::seconds(5));  // 2 s of checks, then the stop
  EXPECT_GT(console_dropped, 0u);
  std::lock_guard lock(mu);
  auto said = [&](const std::string& text) {
    return std::any_of(written.begin(), written.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(said(" lines dropped (console too slow)"));
}

// The lines of a file the test's containers append to, to see the order of what they did.
std::vector<std::string> FileLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string TempFile(const std::string& name) {
  std::string path = ::testing::TempDir() + "/" + name + "-" + std::to_string(::getpid());
  std::filesystem::remove(path);
  return path;
}

Container InitContainer(const std::string& name, bool sidecar = false) {
  Container c;
  c.name = name;
  c.restart_always = sidecar;
  return c;
}

// A container that says it started and, on SIGTERM, that it stopped.
std::string Recording(const std::string& name, const std::string& file) {
  return "echo " + name + "-start >>" + file + "; trap 'echo " + name + "-stop >>" + file +
         "; exit 0' TERM; while :; do sleep 0.05; done";
}

TEST(SupervisorTest, InitContainersRunInOrderEachToCompletionBeforeTheAppContainers) {
  std::string file = TempFile("init-order");
  ShellRuntime runtime({{"first", "sleep 0.3; echo first >>" + file},
                        {"second", "echo second >>" + file + "; echo from-init"},
                        {"web", "echo web >>" + file + "; exec sleep 30"}});
  Deployment pod = Pod({"web"});
  pod.init_containers = {InitContainer("first"), InitContainer("second")};
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string readyz, status;
  RunPod(supervisor, [&](int port) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    readyz = HttpGet(port, "/readyz");
    status = HttpGet(port, "/status");
  });
  EXPECT_EQ(FileLines(file), (std::vector<std::string>{"first", "second", "web"}));
  EXPECT_NE(readyz.find("200 OK"), std::string::npos) << readyz;
  EXPECT_NE(status.find("\"initContainers\":[{\"name\":\"first\",\"state\":\"terminated\""),
            std::string::npos)
      << status;
  // An init container's output is in the logs as any container's.
  EXPECT_EQ(supervisor.logs().Lines("second"), std::vector<std::string>{"second: from-init"});
  EXPECT_EQ(runtime.starts["first"], 1);
  std::filesystem::remove(file);
}

TEST(SupervisorTest, AFailingInitContainerIsRetriedWithTheBackOffAndTheAppWaitsUnready) {
  ShellRuntime runtime({{"prepare", "echo cannot >&2; exit 2"}, {"web", "exec sleep 30"}});
  Deployment pod = Pod({"web"});
  pod.init_containers = {InitContainer("prepare")};
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string readyz, status;
  RunPod(supervisor, [&](int port) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    readyz = HttpGet(port, "/readyz");
    status = HttpGet(port, "/status");
  });
  EXPECT_NE(readyz.find("503"), std::string::npos) << readyz;
  EXPECT_NE(readyz.find("not ready: init container prepare: backoff (CrashLoopBackOff), exit "
                        "code 2, 1 restarts"),
            std::string::npos)
      << readyz;
  EXPECT_NE(status.find("\"name\":\"web\",\"state\":\"waiting\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"reason\":\"PodInitializing\""), std::string::npos) << status;
  EXPECT_EQ(runtime.starts["prepare"], 1);  // the retry is 10 s away
  EXPECT_EQ(runtime.starts["web"], 0);
  EXPECT_EQ(supervisor.logs().Lines("prepare/stderr"),
            std::vector<std::string>{"prepare/stderr: cannot"});
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(std::find(console.begin(), console.end(),
                      "i2kit-agent: init container prepare exited code=2 restarts=1 backoff=10s"),
            console.end());
}

TEST(SupervisorTest, ASidecarStartsBeforeTheNextInitContainerAndStopsAfterTheAppContainers) {
  std::string file = TempFile("sidecar-order");
  ShellRuntime runtime({{"side", Recording("side", file)},
                        {"prepare", "echo prepare >>" + file},
                        {"web", Recording("web", file)}});
  Deployment pod = Pod({"web"});
  pod.init_containers = {InitContainer("side", /*sidecar=*/true), InitContainer("prepare")};
  // The next init container waits for the sidecar's startup probe, as Kubernetes does.
  Probe probe;
  probe.action = ProbeAction::kExec;
  probe.command = {"grep", "-q", "side-start", file};
  probe.period_seconds = 1;
  pod.init_containers[0].startup_probe = probe;
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string status;
  RunPod(supervisor, [&](int port) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    status = HttpGet(port, "/status");
  });
  EXPECT_EQ(FileLines(file), (std::vector<std::string>{"side-start", "prepare", "web-start",
                                                       "web-stop", "side-stop"}));
  EXPECT_NE(status.find("\"name\":\"side\",\"sidecar\":true,\"state\":\"running\""),
            std::string::npos)
      << status;
  EXPECT_NE(status.find("\"ready\":true,\"notReadyReason\":\"\""), std::string::npos) << status;
  std::filesystem::remove(file);
}

TEST(SupervisorTest, ACrashedSidecarRestartsWithTheBackOffAndTheAppKeepsRunning) {
  ShellRuntime runtime({{"side", "sleep 0.2; exit 1"}, {"web", "exec sleep 30"}});
  Deployment pod = Pod({"web"});
  pod.init_containers = {InitContainer("side", /*sidecar=*/true)};
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  RunPod(supervisor, [&](int) { std::this_thread::sleep_for(std::chrono::milliseconds(700)); });
  EXPECT_EQ(runtime.starts["web"], 1);
  EXPECT_EQ(runtime.starts["side"], 1);  // its restart is 10 s away
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(std::find(console.begin(), console.end(),
                      "i2kit-agent: container side exited code=1 restarts=1 backoff=10s"),
            console.end());
}

TEST(SupervisorTest, AContainerIsNotReadyUntilItsPostStartHookEnds) {
  ShellRuntime runtime(std::map<std::string, std::string>{{"web", "exec sleep 30"}});
  Deployment pod = Pod({"web"});
  LifecycleHook hook;
  hook.action = HookAction::kSleep;
  hook.sleep_seconds = 1;
  pod.containers[0].lifecycle.post_start = hook;
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string during, after;
  RunPod(supervisor, [&](int port) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    during = HttpGet(port, "/readyz");
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    after = HttpGet(port, "/readyz");
  });
  EXPECT_NE(during.find("not ready: container web: running (PostStartHook), not started"),
            std::string::npos)
      << during;
  EXPECT_NE(after.find("200 OK"), std::string::npos) << after;
}

TEST(SupervisorTest, AFailingPostStartHookStopsTheContainerWhichBacksOff) {
  ShellRuntime runtime(std::map<std::string, std::string>{{"web", "exec sleep 30"}});
  Deployment pod = Pod({"web"});
  LifecycleHook hook;
  hook.command = {"exit", "3"};
  pod.containers[0].lifecycle.post_start = hook;
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  std::string status;
  RunPod(supervisor, [&](int port) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    status = HttpGet(port, "/status");
  });
  EXPECT_NE(status.find("\"state\":\"backoff\""), std::string::npos) << status;
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(std::find(console.begin(), console.end(),
                      "i2kit-agent: container web: postStart hook failed: restarting"),
            console.end());
}

TEST(SupervisorTest, ThePreStopHookRunsBeforeTheSigterm) {
  std::string file = TempFile("prestop");
  ShellRuntime runtime(std::map<std::string, std::string>{{"web", Recording("web", file)}});
  Deployment pod = Pod({"web"}, /*grace_seconds=*/5);
  LifecycleHook hook;
  hook.command = {"sleep 0.3; echo prestop >>" + file};
  pod.containers[0].lifecycle.pre_stop = hook;
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  RunPod(supervisor, [&](int) { std::this_thread::sleep_for(std::chrono::milliseconds(300)); });
  EXPECT_EQ(FileLines(file), (std::vector<std::string>{"web-start", "prestop", "web-stop"}));
  std::filesystem::remove(file);
}

TEST(SupervisorTest, TheGracePeriodCountsFromThePreStopHooksStart) {
  ShellRuntime runtime(std::map<std::string, std::string>{{"web", "exec sleep 30"}});
  Deployment pod = Pod({"web"}, /*grace_seconds=*/1);
  LifecycleHook hook;
  hook.action = HookAction::kSleep;
  hook.sleep_seconds = 10;
  pod.containers[0].lifecycle.pre_stop = hook;
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  auto start = std::chrono::steady_clock::now();
  RunPod(supervisor, [](int) { std::this_thread::sleep_for(std::chrono::milliseconds(200)); });
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(4));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(std::find(console.begin(), console.end(),
                      "i2kit-agent: container web did not stop within the grace period: SIGKILL"),
            console.end());
}

TEST(SupervisorTest, ALivenessFailureRunsThePreStopHookBeforeTheRestart) {
  std::string file = TempFile("liveness-prestop");
  ShellRuntime runtime(std::map<std::string, std::string>{{"web", Recording("web", file)}});
  Deployment pod = Pod({"web"});
  Probe probe;
  probe.action = ProbeAction::kExec;
  probe.command = {"sleep 0.3; false"};  // after the container said it started
  probe.period_seconds = 1;
  probe.failure_threshold = 1;
  pod.containers[0].liveness_probe = probe;
  LifecycleHook hook;
  hook.command = {"echo prestop >>" + file};
  pod.containers[0].lifecycle.pre_stop = hook;
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  RunPod(supervisor, [](int) { std::this_thread::sleep_for(std::chrono::milliseconds(800)); });
  std::vector<std::string> lines = FileLines(file);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(lines.begin(), lines.begin() + 3),
            (std::vector<std::string>{"web-start", "prestop", "web-stop"}));
  std::filesystem::remove(file);
}

TEST(SupervisorTest, ASidecarOutlivesAnAppContainerKilledAtTheEndOfTheGracePeriod) {
  std::string file = TempFile("sidecar-kill-order");
  ShellRuntime runtime(
      {{"side", Recording("side", file)}, {"web", "trap '' TERM; while :; do sleep 0.05; done"}});
  Deployment pod = Pod({"web"}, /*grace_seconds=*/1);
  pod.init_containers = {InitContainer("side", /*sidecar=*/true)};
  std::vector<std::string> console;
  std::mutex mu;
  Supervisor supervisor(pod, 0, runtime, Options(&console, &mu));
  RunPod(supervisor, [](int) { std::this_thread::sleep_for(std::chrono::milliseconds(300)); });
  std::lock_guard<std::mutex> lock(mu);
  auto web =
      std::find(console.begin(), console.end(), "i2kit-agent: container web stopped code=137");
  auto side = std::find_if(console.begin(), console.end(), [](const std::string& line) {
    return line.starts_with("i2kit-agent: container side stopped");
  });
  ASSERT_NE(web, console.end());
  ASSERT_NE(side, console.end());
  EXPECT_LT(web, side);
}

}  // namespace
}  // namespace i2kit
