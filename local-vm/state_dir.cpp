#include "local-vm/state_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/names.h"
#include "common/sys_error.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;

Status MakePrivateDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return SysError("mkdir", path);
  return Status::Ok();
}

// mkdir -p; the last component (the state root) is made private even if it existed.
Status MakePrivateDirs(const std::string& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) return Status::Error("cannot create " + path + ": " + error.message());
  if (::chmod(path.c_str(), 0700) != 0) return SysError("chmod", path);
  return Status::Ok();
}

std::optional<int> ParseReplicaNumber(std::string_view name) {
  int number = -1;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), number);
  if (ec != std::errc() || ptr != name.data() + name.size() || number < 0) return std::nullopt;
  if (std::to_string(number) != name) return std::nullopt;  // no "01"
  return number;
}

std::vector<std::string> SubdirectoryNames(const std::string& path) {
  std::vector<std::string> names;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
    if (entry.is_directory(error)) names.push_back(entry.path().filename().string());
  }
  return names;
}

}  // namespace

std::string RecordToJson(const ReplicaRecord& r) {
  nlohmann::ordered_json ports = nlohmann::ordered_json::array();
  for (const PublishedPort& p : r.ports) {
    ports.push_back({{"hostPort", p.host_port},
                     {"containerPort", p.container_port},
                     {"protocol", PortProtocolName(p.protocol)}});
  }
  nlohmann::ordered_json json = {{"deployment", r.deployment},
                                 {"replica", r.replica},
                                 {"pid", r.pid},
                                 {"startTime", r.start_time},
                                 {"createdUnix", r.created_unix},
                                 {"artifactsDir", r.artifacts_dir},
                                 {"imageDigest", r.image_digest},
                                 {"accelerator", r.accelerator},
                                 {"ports", ports},
                                 {"agentPort", r.agent_port},
                                 {"execPort", r.exec_port},
                                 {"graceSeconds", r.grace_seconds}};
  return json.dump(2) + "\n";
}

Result<ReplicaRecord> RecordFromJson(std::string_view text) {
  try {
    nlohmann::json json = nlohmann::json::parse(text);
    ReplicaRecord r;
    r.deployment = json.at("deployment").get<std::string>();
    r.replica = json.at("replica").get<int>();
    r.pid = json.at("pid").get<pid_t>();
    r.start_time = json.at("startTime").get<uint64_t>();
    r.created_unix = json.at("createdUnix").get<int64_t>();
    r.artifacts_dir = json.at("artifactsDir").get<std::string>();
    r.image_digest = json.at("imageDigest").get<std::string>();
    r.accelerator = json.at("accelerator").get<std::string>();
    for (const nlohmann::json& p : json.at("ports")) {
      r.ports.push_back(
          {p.at("hostPort").get<int>(), p.at("containerPort").get<int>(),
           p.at("protocol").get<std::string>() == "udp" ? Protocol::kUdp : Protocol::kTcp});
    }
    r.agent_port = json.at("agentPort").get<int>();
    // Records of replicas started before exec existed have none.
    r.exec_port = json.value("execPort", 0);
    r.grace_seconds = json.at("graceSeconds").get<int>();
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Status::Error(e.what());
  }
}

Result<ReplicaName> ParseReplicaName(std::string_view text) {
  ReplicaName name;
  size_t slash = text.find('/');
  name.deployment = std::string(text.substr(0, slash));
  if (std::string problem = CheckDns1123Label(name.deployment); !problem.empty()) {
    return Status::Error("'" + std::string(text) + "' is not DEPLOYMENT[/REPLICA]: " + problem);
  }
  if (slash != std::string_view::npos) {
    name.replica = ParseReplicaNumber(text.substr(slash + 1));
    if (!name.replica) {
      return Status::Error("'" + std::string(text) +
                           "' is not DEPLOYMENT[/REPLICA]: the replica is a number from 0");
    }
  }
  return name;
}

bool IsLockHeld(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return false;  // released on close
  return errno == EWOULDBLOCK;
}

DeploymentLock::~DeploymentLock() {
  if (!fd_.valid()) return;
  // Unlinked while still held: a waiter that gets the lock next sees the file is gone and
  // retries (LockDeployment), so two holders never coexist.
  if (::rmdir(dir_.c_str()) == 0 || errno == ENOENT) ::unlink(path_.c_str());
}

std::string StateDir::DefaultRoot() {
  const char* xdg = std::getenv("XDG_STATE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/i2kit";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "/tmp") + "/.local/state/i2kit";
}

std::string StateDir::ReplicaDir(std::string_view deployment, int replica) const {
  return root_ + "/" + std::string(deployment) + "/" + std::to_string(replica);
}

Result<DeploymentLock> StateDir::LockDeployment(const std::string& deployment, bool wait) const {
  // Names become paths: only a DNS-1123 label (no '/', no "..") is accepted.
  if (std::string problem = CheckDns1123Label(deployment); !problem.empty()) {
    return Status::Error("deployment name '" + deployment + "': " + problem);
  }
  if (Status s = MakePrivateDirs(root_); !s.ok()) return s;
  std::string path = root_ + "/" + deployment + ".lock";
  // The last replica's removal unlinks the lock file while holding it; a waiter that then gets
  // the lock on the unlinked file must retry on the path's new file.
  for (;;) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd.valid()) return SysError("open", path);
    if (::flock(fd.get(), LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
      if (errno == EINTR) continue;
      if (errno == EWOULDBLOCK) {
        return Status::Error("deployment " + deployment + " is busy: another i2kit-host is " +
                             "starting or stopping it");
      }
      return SysError("flock", path);
    }
    struct stat held {
    }, current{};
    if (::fstat(fd.get(), &held) != 0) return SysError("fstat", path);
    if (::stat(path.c_str(), &current) == 0 && held.st_ino == current.st_ino &&
        held.st_dev == current.st_dev) {
      return DeploymentLock(deployment, root_ + "/" + deployment, path, std::move(fd));
    }
  }
}

Result<UniqueFd> StateDir::CreateReplica(const DeploymentLock& lock, int replica) const {
  if (Status s = MakePrivateDir(root_ + "/" + lock.deployment()); !s.ok()) return s;
  std::string dir = ReplicaDir(lock.deployment(), replica);
  if (::mkdir(dir.c_str(), 0700) != 0) return SysError("mkdir", dir);
  std::string path = dir + "/" + kAliveLockFile;
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return SysError("open", path);
  // Blocking: a concurrent `ps` may hold a shared lock for an instant while it looks.
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return SysError("flock", path);
  }
  return fd;
}

Status WriteFileAtomically(const std::string& path, std::string_view data) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << data;
    out.close();
    if (!out) return Status::Error("cannot write " + temporary);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) return SysError("rename", temporary);
  return Status::Ok();
}

Status StateDir::WriteRecord(const ReplicaRecord& record) const {
  std::string dir = ReplicaDir(record.deployment, record.replica);
  return WriteFileAtomically(dir + "/" + kRecordFile, RecordToJson(record));
}

std::string StateDir::ControllerPath(std::string_view deployment, std::string_view suffix) const {
  return root_ + "/" + kControllersDir + "/" + std::string(deployment) + std::string(suffix);
}

Status StateDir::MakeControllersDir() const {
  return MakePrivateDirs(root_ + "/" + kControllersDir);
}

Status StateDir::RemoveReplica(const DeploymentLock& lock, int replica) const {
  std::string dir = ReplicaDir(lock.deployment(), replica);
  if (IsLockHeld(dir + "/" + kAliveLockFile)) {
    return Status::Error("cannot remove " + dir + ": its VM is still running");
  }
  std::error_code error;
  fs::remove_all(dir, error);
  if (error) return Status::Error("cannot remove " + dir + ": " + error.message());
  return Status::Ok();
}

Result<ReplicaEntry> StateDir::ReadEntry(const std::string& deployment, int replica) const {
  ReplicaEntry entry;
  entry.deployment = deployment;
  entry.replica = replica;
  entry.dir = ReplicaDir(deployment, replica);
  bool alive = IsLockHeld(entry.dir + "/" + kAliveLockFile);
  std::ifstream in(entry.dir + "/" + kRecordFile);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    Result<ReplicaRecord> record = RecordFromJson(text.str());
    if (record.ok()) entry.record = std::move(record).value();
  }
  if (!entry.record) {
    if (alive) {
      entry.state = ReplicaState::kStarting;
      return entry;
    }
    return Status::Error(entry.dir + ": stale (no record and no VM)");
  }
  entry.state = alive ? ReplicaState::kRunning : ReplicaState::kExited;
  return entry;
}

Result<std::vector<ReplicaEntry>> StateDir::List(const std::string& deployment) const {
  std::vector<ReplicaEntry> entries;
  if (::access(root_.c_str(), F_OK) != 0) return entries;  // nothing ever ran
  if (::access(root_.c_str(), R_OK | X_OK) != 0) return SysError("access", root_);
  std::vector<std::string> deployments =
      deployment.empty() ? SubdirectoryNames(root_) : std::vector<std::string>{deployment};
  std::sort(deployments.begin(), deployments.end());
  for (const std::string& name : deployments) {
    if (!CheckDns1123Label(name).empty()) continue;
    std::vector<int> replicas;
    for (const std::string& child : SubdirectoryNames(root_ + "/" + name)) {
      if (std::optional<int> number = ParseReplicaNumber(child)) replicas.push_back(*number);
    }
    std::sort(replicas.begin(), replicas.end());
    for (int replica : replicas) {
      Result<ReplicaEntry> entry = ReadEntry(name, replica);
      if (entry.ok()) {
        entries.push_back(std::move(entry).value());
        continue;
      }
      // Stale: cleaned only if nobody is adding or removing this deployment's replicas now,
      // and only after looking again under the lock.
      Result<DeploymentLock> lock = LockDeployment(name, /*wait=*/false);
      if (lock.ok() && !ReadEntry(name, replica).ok()) (void)RemoveReplica(*lock, replica);
    }
  }
  return entries;
}

}  // namespace i2kit
