// `run`, `ps`, `logs` and `down` as a user runs them, short of booting a VM (qemu-tests/
// run-command boots one): what they refuse, and how they treat the state a run left behind;
// and the Service plan (common/balancer_plan.h) locally: `build` refuses what the template
// refuses, `run` takes the Services from vm.json alone (artifacts_location.h).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/vm_artifacts.h"
#include "host-cli/artifacts_location.h"
#include "host-cli/command.h"
#include "host-cli/host_cli_test_util.h"
#include "host-cli/stand_in_build.h"
#include "local-vm/boot_timeline.h"
#include "local-vm/local_ports.h"
#include "local-vm/state_dir.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;

class RunVerbsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("i2kit-verbs-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ::setenv("XDG_STATE_HOME", (dir_ / "state").c_str(), 1);
    ::setenv("XDG_CACHE_HOME", (dir_ / "cache").c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("XDG_STATE_HOME");
    ::unsetenv("XDG_CACHE_HOME");
    fs::remove_all(dir_);
  }
  std::string Write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }
  // An artifacts dir whose files exist (their contents are never booted here).
  std::string Artifacts() {
    fs::path art = dir_ / "art";
    fs::create_directories(art);
    VmArtifacts a;
    a.deployment = "web";
    a.disks = {"web.erofs"};
    a.ports = {{80, Protocol::kTcp}};
    for (const char* f : {"bzImage", "initrd.img", "web.erofs"})
      Write(std::string("art/") + f, "x");
    EXPECT_TRUE(WriteVmArtifacts(art.string(), a).ok());
    return art.string();
  }
  // Deployment shop's artifacts as `build` leaves them, with a NodePort Service on `node_port`
  // and a ClusterIP one in its plan; no manifest exists anywhere.
  std::string ShopArtifacts(int node_port) {
    fs::path art = dir_ / "i2kit-out" / "shop";
    fs::create_directories(art);
    VmArtifacts a;
    a.deployment = "shop";
    a.disks = {"web.erofs"};
    a.ports = {{8080, Protocol::kTcp}};
    a.labels = {{"app", "shop"}};
    a.services = {
        {"shop-web",
         ServiceType::kNodePort,
         {{"app", "shop"}},
         {"shop"},
         {{80, Protocol::kTcp, 8080, node_port, {}}}},
        {"cart",
         ServiceType::kClusterIP,
         {{"app", "cart"}},
         {"cart"},
         {{80, Protocol::kTcp, 9090, 0, {}}}},
    };
    for (const char* f : {"bzImage", "initrd.img", "web.erofs"}) {
      std::ofstream(art / f) << "x";
    }
    EXPECT_TRUE(WriteVmArtifacts(art.string(), a).ok());
    return art.string();
  }
  // A replica entry as a run leaves it once its VM has exited.
  void ExitedReplica(const std::string& deployment, int replica) {
    StateDir state(StateDir::DefaultRoot());
    Result<DeploymentLock> lock = state.LockDeployment(deployment, true);
    ASSERT_TRUE(lock.ok());
    ASSERT_TRUE(state.CreateReplica(*lock, replica).ok());
    ReplicaRecord r;
    r.deployment = deployment;
    r.replica = replica;
    r.pid = 999999;
    r.ports = {{18080, 80, Protocol::kTcp}};
    ASSERT_TRUE(state.WriteRecord(r).ok());
    std::ofstream(state.ReplicaDir(deployment, replica) + "/" + kConsoleLogFile)
        << "booting\r\ni2kit-agent: pod ready\r\n";
  }
  fs::path dir_;
};

TEST_F(RunVerbsTest, RunWithoutArtifactsSaysToBuildFirst) {
  CliRun run = RunCli({"run", dir_.string()});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("vm.json: run 'i2kit-host build' first"), std::string::npos) << run.err;
}

// A manifest run from dir_, whose image is an OCI layout with only its index.json: its build
// key is known, and a build of it fails on the first blob (stand_in_build.h).
class RunManifestTest : public RunVerbsTest {
 protected:
  void SetUp() override {
    RunVerbsTest::SetUp();
    previous_ = fs::current_path();
    fs::current_path(dir_);
    manifest_ = Write("app.yml", "name: web\ncontainers:\n  web:\n    image: " +
                                     testing::WriteIndexOnlyLayout(dir_ / "layout") + "\n");
    tools_ = testing::WriteStandInTools(dir_);
  }
  void TearDown() override {
    fs::current_path(previous_);
    RunVerbsTest::TearDown();
  }
  CliRun Run(std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", manifest_, "--accel", "tcg"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), tools_.args.begin(), tools_.args.end());
    return RunCli(args);
  }
  fs::path previous_;
  std::string manifest_;
  testing::StandInTools tools_;
};

TEST_F(RunManifestTest, RunOfAManifestNotYetBuiltBuildsItFirst) {
  CliRun run = Run({});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("building web: "), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(dir_ / "i2kit-out" / "web" / "vm.json"));
}

TEST_F(RunManifestTest, RunOfAManifestUpToDateBuildsNothing) {
  VmArtifacts vm;
  vm.deployment = "web";
  vm.boot_disk = "disk.raw";
  vm.ports = {{80, Protocol::kTcp}};
  ASSERT_TRUE(testing::WriteUpToDateArtifacts(manifest_, tools_.tools, dir_ / "i2kit-out", vm));
  // A port in use stops it before booting, after the check.
  Result<int> port = PickFreeLocalPort();
  ASSERT_TRUE(port.ok());
  UniqueFd listener = ListenOnLoopback(*port);
  ASSERT_TRUE(listener.valid());
  CliRun run = Run({"-p", std::to_string(*port) + ":80"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("web: up to date"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("EADDRINUSE"), std::string::npos) << run.err;
}

TEST_F(RunManifestTest, RunOfAManifestChangedSinceItsBuildBuildsItAgain) {
  VmArtifacts vm;
  vm.deployment = "web";
  vm.boot_disk = "disk.raw";
  ASSERT_TRUE(testing::WriteUpToDateArtifacts(manifest_, tools_.tools, dir_ / "i2kit-out", vm));
  std::ofstream(manifest_, std::ios::app) << "    environment: [GREETING=bonjour]\n";
  CliRun run = Run({});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("building web: "), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("up to date"), std::string::npos) << run.err;
}

TEST_F(RunVerbsTest, RunRejectsABadPortMappingAsAUsageError) {
  CliRun run = RunCli({"run", Artifacts(), "-p", "80"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("bad port mapping '80'"), std::string::npos) << run.err;
}

TEST_F(RunVerbsTest, RunNamesAnArtifactFileThatIsMissing) {
  std::string art = Artifacts();
  fs::remove(fs::path(art) / "web.erofs");
  CliRun run = RunCli({"run", art, "--accel", "tcg"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("web.erofs\") failed: ENOENT"), std::string::npos) << run.err;
}

TEST_F(RunVerbsTest, RunRefusesAHostPortInUseBeforeBooting) {
  std::string art = Artifacts();
  Result<int> port = PickFreeLocalPort();
  ASSERT_TRUE(port.ok());
  UniqueFd listener = ListenOnLoopback(*port);
  ASSERT_TRUE(listener.valid());
  CliRun run = RunCli({"run", art, "--accel", "tcg", "-p", std::to_string(*port) + ":80"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("EADDRINUSE"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(dir_ / "state" / "i2kit" / "web"));
}

TEST_F(RunVerbsTest, PsWithNothingRunningPrintsTheHeaderOrAnEmptyList) {
  CliRun text = RunCli({"ps"});
  EXPECT_EQ(text.code, 0);
  EXPECT_EQ(text.out.rfind("NAME", 0), 0u) << text.out;
  CliRun json = RunCli({"ps", "-o", "json"});
  EXPECT_EQ(json.code, 0);
  EXPECT_EQ(nlohmann::json::parse(json.out), nlohmann::json::array());
}

TEST_F(RunVerbsTest, AnExitedReplicaIsListedLoggedAndRemovedByDown) {
  ExitedReplica("web", 0);
  CliRun ps = RunCli({"ps", "-o", "json"});
  ASSERT_EQ(ps.code, 0) << ps.err;
  nlohmann::json list = nlohmann::json::parse(ps.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "web/0");
  EXPECT_EQ(list[0]["state"], "exited");
  EXPECT_EQ(list[0]["ports"][0]["hostPort"], 18080);

  CliRun logs = RunCli({"logs", "web"});
  EXPECT_EQ(logs.code, 0) << logs.err;
  EXPECT_EQ(logs.out, "booting\ni2kit-agent: pod ready\n");
  EXPECT_EQ(RunCli({"logs", "web/0", "-n", "1"}).out, "i2kit-agent: pod ready\n");
  EXPECT_EQ(RunCli({"logs", "web", "-f"}).out, "booting\ni2kit-agent: pod ready\n");

  CliRun down = RunCli({"down", "web"});
  EXPECT_EQ(down.code, 0) << down.err;
  EXPECT_NE(down.err.find("web/0 removed (had exited)"), std::string::npos) << down.err;
  EXPECT_TRUE(fs::is_empty(dir_ / "state" / "i2kit"));
}

TEST_F(RunVerbsTest, AnExitedReplicasBootTimelineIsTheHostsMarks) {
  ExitedReplica("web", 0);
  // What a controller recorded of its boot (local-vm/boot_timeline.h); the agent is gone.
  std::ofstream(StateDir(StateDir::DefaultRoot()).ReplicaDir("web", 0) + "/" + kTimelineFile)
      << R"([{"phase":"qemu-started","host":1000.0},{"phase":"pod-ready-seen","host":1004.25},)"
      << R"({"phase":"in-balancer","host":1004.5}])";
  CliRun ps = RunCli({"ps", "-o", "json"});
  ASSERT_EQ(ps.code, 0) << ps.err;
  nlohmann::json timeline = nlohmann::json::parse(ps.out)[0]["timeline"];
  ASSERT_EQ(timeline.size(), 3u) << timeline;
  EXPECT_EQ(timeline[2]["phase"], "in-balancer");
  EXPECT_EQ(timeline[2]["sinceStart"], 4.5);
  EXPECT_EQ(timeline[2]["guest"], nullptr);

  CliRun logs = RunCli({"logs", "web/0", "--timeline"});
  EXPECT_EQ(logs.code, 0) << logs.err;
  EXPECT_NE(logs.out.find("the agent did not answer"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("in-balancer      4.500   +0.250       -\n"), std::string::npos)
      << logs.out;
  EXPECT_EQ(RunCli({"logs", "web", "--timeline", "-f"}).code, 2);
}

TEST_F(RunVerbsTest, DownOfAnArtifactsDirStopsItsDeployment) {
  ExitedReplica("web", 0);
  CliRun down = RunCli({"down", Artifacts()});
  EXPECT_EQ(down.code, 0) << down.err;
  EXPECT_TRUE(fs::is_empty(dir_ / "state" / "i2kit"));
}

TEST_F(RunVerbsTest, LogsOfADeploymentShowEveryReplicaPrefixed) {
  ExitedReplica("web", 0);
  ExitedReplica("web", 1);
  CliRun logs = RunCli({"logs", "web"});
  EXPECT_EQ(logs.code, 0) << logs.err;
  EXPECT_EQ(logs.out,
            "web/0 | booting\nweb/0 | i2kit-agent: pod ready\n"
            "web/1 | booting\nweb/1 | i2kit-agent: pod ready\n");
  EXPECT_EQ(RunCli({"logs", "web", "-n", "1"}).out,
            "web/0 | i2kit-agent: pod ready\nweb/1 | i2kit-agent: pod ready\n");
  // Followed: both to their last line, then it ends since neither VM runs.
  EXPECT_EQ(RunCli({"logs", "web", "-f"}).out, logs.out);
  EXPECT_EQ(RunCli({"logs", "web/1"}).out, "booting\ni2kit-agent: pod ready\n");
  CliRun missing = RunCli({"logs", "web/7"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("no replica web/7 (there is web/0, web/1)"), std::string::npos)
      << missing.err;
}

TEST_F(RunVerbsTest, PsWatchRedrawsTheListUntilCtrlC) {
  ExitedReplica("web", 0);
  // SIGINT blocked here and in the thread that sends it, so that it waits for ps's signalfd.
  sigset_t interrupt, previous;
  sigemptyset(&interrupt);
  sigaddset(&interrupt, SIGINT);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &interrupt, &previous), 0);
  std::thread ctrl_c([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(3000));
    ::kill(::getpid(), SIGINT);
  });
  CliRun watch = RunCli({"ps", "-w"});
  ctrl_c.join();
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  EXPECT_EQ(watch.code, 0) << watch.err;
  // Not a terminal: each listing follows the last after a blank line, nothing redrawn.
  EXPECT_EQ(watch.out.find("\033"), std::string::npos);
  size_t first = watch.out.find("NAME");
  size_t second = watch.out.find("\n\nNAME");
  EXPECT_EQ(first, 0u) << watch.out;
  EXPECT_NE(second, std::string::npos) << watch.out;
  EXPECT_NE(watch.out.find("web/0"), std::string::npos) << watch.out;
}

TEST_F(RunVerbsTest, LogsOfOneContainerDropEveryOtherLineAndThePrefix) {
  ExitedReplica("web", 0);
  std::ofstream(StateDir(StateDir::DefaultRoot()).ReplicaDir("web", 0) + "/" + kConsoleLogFile)
      << "[    0.1] kernel line\r\nweb: GET /\r\ni2kit-agent: pod ready\r\n"
         "sidecar: tick\r\nweb/stderr: slow request\r\nweb: GET /health\r\n";
  CliRun web = RunCli({"logs", "web", "-c", "web"});
  EXPECT_EQ(web.code, 0) << web.err;
  EXPECT_EQ(web.out, "GET /\nslow request\nGET /health\n");
  EXPECT_EQ(RunCli({"logs", "web", "-c", "web", "-n", "1"}).out, "GET /health\n");
  EXPECT_EQ(RunCli({"logs", "web", "-c", "sidecar", "-f"}).out, "tick\n");
  EXPECT_EQ(RunCli({"logs", "web", "-c", "nothing"}).out, "");
}

TEST_F(RunVerbsTest, LogsOfReplicasAreInterleavedByTheTimeTheAgentLoggedEachLine) {
  StateDir state(StateDir::DefaultRoot());
  ExitedReplica("web", 0);
  ExitedReplica("web", 1);
  // The kernel's lines carry no time: each goes with the agent's first line.
  std::ofstream(state.ReplicaDir("web", 0) + "/" + kConsoleLogFile)
      << "[    0.1] kernel 0\r\n2026-12-07T10:00:01.000Z web: a\r\n"
         "2026-12-07T10:00:03.000Z web: c\r\n";
  std::ofstream(state.ReplicaDir("web", 1) + "/" + kConsoleLogFile)
      << "[    0.1] kernel 1\r\n2026-12-07T10:00:02.000Z web: b\r\n"
         "2026-12-07T10:00:04.000Z web/stderr: d\r\n";
  CliRun logs = RunCli({"logs", "web"});
  EXPECT_EQ(logs.code, 0) << logs.err;
  EXPECT_EQ(logs.out,
            "web/0 | [    0.1] kernel 0\nweb/0 | web: a\n"
            "web/1 | [    0.1] kernel 1\nweb/1 | web: b\n"
            "web/0 | web: c\nweb/1 | web/stderr: d\n");
  EXPECT_EQ(RunCli({"logs", "web", "-f"}).out, logs.out);
  EXPECT_EQ(RunCli({"logs", "web", "-c", "web", "-n", "1"}).out, "web/0 | c\nweb/1 | d\n");

  CliRun since = RunCli({"logs", "web", "--since", "2026-12-07T10:00:02Z", "-t"});
  EXPECT_EQ(since.code, 0) << since.err;
  EXPECT_EQ(since.out,
            "web/1 |                          [    0.1] kernel 1\n"
            "web/1 | 2026-12-07T10:00:02.000Z web: b\n"
            "web/0 | 2026-12-07T10:00:03.000Z web: c\n"
            "web/1 | 2026-12-07T10:00:04.000Z web/stderr: d\n");
  // Logged long before the last hour.
  EXPECT_EQ(RunCli({"logs", "web", "--since", "1h"}).out, "");
  EXPECT_EQ(RunCli({"logs", "web", "--since", "9999h"}).out, logs.out);
  CliRun bad = RunCli({"logs", "web", "--since", "yesterday"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--since yesterday: expected a duration back from now"), std::string::npos)
      << bad.err;
}

// A deployment `web` built from a folder `web/`: the verbs run where that folder is.
class SameNamedFolderTest : public RunVerbsTest {
 protected:
  void SetUp() override {
    RunVerbsTest::SetUp();
    old_cwd_ = fs::current_path();
    fs::create_directories(dir_ / "web");
    fs::current_path(dir_);
  }
  void TearDown() override {
    fs::current_path(old_cwd_);
    RunVerbsTest::TearDown();
  }
  fs::path old_cwd_;
};

TEST_F(SameNamedFolderTest, DownStopsTheRunningDeploymentNotTheFolder) {
  ExitedReplica("web", 0);
  CliRun down = RunCli({"down", "web"});
  EXPECT_EQ(down.code, 0) << down.err;
  EXPECT_NE(down.err.find("web/0 removed"), std::string::npos) << down.err;
  EXPECT_EQ(down.err.find("vm.json"), std::string::npos) << down.err;
  EXPECT_TRUE(fs::is_empty(dir_ / "state" / "i2kit"));
}

TEST_F(SameNamedFolderTest, DownOfOneReplicaStopsOnlyIt) {
  ExitedReplica("web", 0);
  ExitedReplica("web", 1);
  CliRun down = RunCli({"down", "web/1"});
  EXPECT_EQ(down.code, 0) << down.err;
  CliRun ps = RunCli({"ps", "-o", "json"});
  EXPECT_EQ(nlohmann::json::parse(ps.out).size(), 1u) << ps.out;
}

TEST_F(SameNamedFolderTest, DownWinsOverAFolderHoldingAnotherDeploymentsArtifacts) {
  // ./web holds the artifacts of deployment "api", which does not run; web does.
  VmArtifacts a;
  a.deployment = "api";
  a.disks = {"api.erofs"};
  for (const char* f : {"bzImage", "initrd.img", "api.erofs"}) Write(std::string("web/") + f, "x");
  ASSERT_TRUE(WriteVmArtifacts((dir_ / "web").string(), a).ok());
  ExitedReplica("web", 0);
  ExitedReplica("api", 0);
  CliRun down = RunCli({"down", "web"});
  EXPECT_EQ(down.code, 0) << down.err;
  CliRun ps = RunCli({"ps", "-o", "json"});
  nlohmann::json list = nlohmann::json::parse(ps.out);
  ASSERT_EQ(list.size(), 1u) << ps.out;
  EXPECT_EQ(list[0]["deployment"], "api");
  // Written as a path, the folder is meant: its deployment, api, goes.
  EXPECT_EQ(RunCli({"down", "./web"}).code, 0);
  EXPECT_TRUE(fs::is_empty(dir_ / "state" / "i2kit"));
}

TEST_F(SameNamedFolderTest, DownOfANameThatRunsNothingNeverReportsABuildProblem) {
  CliRun down = RunCli({"down", "web"});
  EXPECT_EQ(down.code, 1);
  EXPECT_NE(down.err.find("no VM named web"), std::string::npos) << down.err;
  EXPECT_EQ(down.err.find("build"), std::string::npos) << down.err;
  CliRun path = RunCli({"down", "./web"});
  EXPECT_EQ(path.code, 1);
  EXPECT_EQ(path.err.find("build"), std::string::npos) << path.err;
}

TEST_F(SameNamedFolderTest, PsAndLogsReadTheNameAsTheDeployment) {
  ExitedReplica("web", 0);
  CliRun ps = RunCli({"ps", "web", "-o", "json"});
  EXPECT_EQ(ps.code, 0) << ps.err;
  EXPECT_EQ(nlohmann::json::parse(ps.out).size(), 1u) << ps.out;
  CliRun logs = RunCli({"logs", "web"});
  EXPECT_EQ(logs.code, 0) << logs.err;
  EXPECT_EQ(logs.out, "booting\ni2kit-agent: pod ready\n");
}

TEST_F(RunVerbsTest, UnknownNamesFailWithoutLeavingState) {
  CliRun down = RunCli({"down", "nothing"});
  EXPECT_EQ(down.code, 1);
  EXPECT_NE(down.err.find("no VM named nothing"), std::string::npos) << down.err;
  EXPECT_EQ(RunCli({"logs", "nothing"}).code, 1);
  EXPECT_EQ(RunCli({"logs", "No/Such"}).code, 2);
  EXPECT_TRUE(!fs::exists(dir_ / "state" / "i2kit") || fs::is_empty(dir_ / "state" / "i2kit"));
}

// The same refusal as the CloudFormation template's (tests/cloudformation/
// shared_balancer_test.cpp): both come from one plan, common/balancer_plan.h.
TEST_F(RunVerbsTest, BuildRefusesDeploymentsThatDisagreeOnANamedTargetPort) {
  std::string path =
      std::string(I2KIT_SOURCE_DIR) + "/tests/data/service-plan/disagreeing-target-ports.yml";
  CliRun run = RunCli({"build", path, "-o", (dir_ / "out").string()});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find(path + ":"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("service web, port 80: spec.ports[0].targetPort 'http' is 8080 in "
                         "deployment a but 9090 in deployment b"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(RunVerbsTest, AnArtifactsDirGivesTheServicesThatSelectItsDeployment) {
  std::string art = ShopArtifacts(30095);
  Result<std::vector<LocalService>> services = LocalServicesOf(art);
  ASSERT_TRUE(services.ok()) << services.status().message();
  ASSERT_EQ(services->size(), 1u);
  EXPECT_EQ((*services)[0].name, "shop-web");
  Result<std::vector<NodePortPublish>> node_ports = NodePortsOf(art);
  ASSERT_TRUE(node_ports.ok()) << node_ports.status().message();
  ASSERT_EQ(node_ports->size(), 1u);
  EXPECT_EQ((*node_ports)[0].port, (PublishedPort{30095, 8080, Protocol::kTcp}));
}

TEST_F(RunVerbsTest, RunPublishesTheNodePortAndRecordsTheServiceFromVmJsonAlone) {
  Result<int> port = PickFreeLocalPort();
  ASSERT_TRUE(port.ok());
  std::string art = ShopArtifacts(*port);
  // The port is taken, so run stops before booting, after it has used the plan.
  UniqueFd listener = ListenOnLoopback(*port);
  ASSERT_TRUE(listener.valid());
  CliRun run = RunCli({"run", art, "--accel", "tcg"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("NodePort Service shop-web → 127.0.0.1:" + std::to_string(*port) +
                         "->8080/tcp on shop's replicas"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("EADDRINUSE"), std::string::npos) << run.err;
  EXPECT_TRUE(fs::exists(dir_ / "state" / "i2kit" / "_services" / "shop-web.json"));
  EXPECT_FALSE(fs::exists(dir_ / "state" / "i2kit" / "_services" / "cart.json"));
}

}  // namespace
}  // namespace i2kit
