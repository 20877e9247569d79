#include "local-vm/vm_snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <thread>

#include "common/sys_error.h"
#include "common/unique_fd.h"
#include "image-builder/build_key.h"
#include "image-builder/sha256.h"
#include "local-vm/console_log.h"
#include "local-vm/qmp_client.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr const char* kSnapshotSuffix = ".vmstate";
constexpr const char* kPartialSuffix = ".partial";

// The command line's words with single quotes, for the shell QEMU runs exec: migrations with.
std::string ShellQuoted(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

bool OlderThan(const fs::path& path, std::chrono::seconds age) {
  std::error_code ec;
  fs::file_time_type written = fs::last_write_time(path, ec);
  return !ec && fs::file_time_type::clock::now() - written > age;
}

// The last non-empty line of a log file, for an error message.
std::string LastLine(const std::string& path) {
  Result<std::string> text = ReadLogTail(path, 4096);
  if (!text.ok()) return "";
  std::vector<std::string> lines = LastLines(*text, 1);
  return lines.empty() ? "" : lines.back();
}

}  // namespace

std::string SnapshotKey(const VmArtifacts& artifacts, const std::string& artifacts_dir,
                        const QemuOptions& options, const std::string& qemu_identity) {
  // What differs between replicas of one launch, set to one value.
  QemuOptions shape = options;
  shape.replica = 0;
  shape.tcg_tsc_khz = 0;
  shape.agent_host_port = 1;
  shape.exec_host_port = options.exec_host_port != 0 ? 1 : 0;
  for (PublishedPort& port : shape.ports) port.host_port = 1;
  std::vector<std::string> argv = QemuArgv(artifacts, artifacts_dir, shape);
  Sha256 sha;
  auto add = [&](const std::string& text) {
    std::string length = std::to_string(text.size()) + ":";  // no two lists hash alike
    sha.Update(length.data(), length.size());
    sha.Update(text.data(), text.size());
  };
  add("i2kit snapshot key 1");
  add(artifacts.build_key);
  add(artifacts.image_digest);
  add(qemu_identity);
  // The -kernel file below is named by its path; a direct-boot vmlinux (boot_kernel.h) is
  // outside the build's digests, so its content is added too.
  if (!options.kernel.empty() && options.kernel == artifacts.direct_kernel.path) {
    add(artifacts.direct_kernel.sha256);
  }
  for (size_t i = 0; i < argv.size(); ++i) {
    // The kernel command line is in guest memory, frozen in the snapshot: what matters of it
    // is vm.json's part, which the build key covers.
    if (i > 0 && argv[i - 1] == "-append") continue;
    add(argv[i]);
  }
  Result<std::string> digest = sha.Finish();
  return digest.ok() ? std::string(DigestHex(*digest)) : "";
}

Result<std::string> QemuBinaryIdentity(const std::string& qemu) {
  std::string path = qemu.find('/') == std::string::npos ? ToolPath(qemu) : qemu;
  struct stat info {};
  if (path.empty() || ::stat(path.c_str(), &info) != 0) {
    return Status::Error(qemu + " is not on PATH (Debian package qemu-system-x86)");
  }
  return path + " " + std::to_string(info.st_size) + " " + std::to_string(info.st_mtim.tv_sec) +
         "." + std::to_string(info.st_mtim.tv_nsec);
}

std::string SnapshotPath(const std::string& state_root, const std::string& deployment,
                         const std::string& key) {
  return state_root + "/" + kSnapshotsDir + "/" + deployment + "-" + key + kSnapshotSuffix;
}

Status DropOtherSnapshots(const std::string& state_root, const std::string& deployment,
                          const std::string& keep, std::chrono::seconds stale) {
  std::string dir = state_root + "/" + kSnapshotsDir;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return SysError("mkdir", dir);
  std::error_code ec;
  // Deployment names are DNS labels and keys hex: "<deployment>-" then 64 hex digits.
  const std::string prefix = deployment + "-";
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix) || name.size() < prefix.size() + 64 ||
        name.find('-', prefix.size()) != std::string::npos) {
      continue;
    }
    if (entry.path().string() == keep) continue;
    bool partial = name.ends_with(kPartialSuffix);
    if (partial && entry.path().string() == keep + kPartialSuffix) {
      if (!OlderThan(entry.path(), stale)) continue;
    } else if (partial && !OlderThan(entry.path(), stale)) {
      continue;  // another build's snapshot being made now
    }
    if (::unlink(entry.path().c_str()) != 0 && errno != ENOENT) {
      return SysError("unlink", entry.path().string());
    }
  }
  if (ec) return Status::Error("reading " + dir + ": " + ec.message());
  return Status::Ok();
}

Result<bool> ClaimSnapshot(const std::string& path, std::chrono::seconds stale) {
  std::string partial = path + kPartialSuffix;
  for (int attempt = 0; attempt < 2; ++attempt) {
    UniqueFd fd(::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.valid()) return true;
    if (errno != EEXIST) return SysError("open", partial);
    // A claim whose VM died before its snapshot point is taken over once stale.
    if (!OlderThan(partial, stale)) return false;
    if (::unlink(partial.c_str()) != 0 && errno != ENOENT) return SysError("unlink", partial);
  }
  return false;
}

std::vector<std::string> RestoreArgv(std::vector<std::string> argv, const std::string& path) {
  argv.insert(argv.end(), {"-incoming", "exec:cat " + ShellQuoted(path)});
  return argv;
}

Status TakeSnapshot(const std::string& qmp_socket, const std::string& path,
                    std::chrono::milliseconds timeout) {
  const std::string partial = path + kPartialSuffix;
  const Clock::time_point deadline = Clock::now() + timeout;
  auto left = [&] {
    return std::max(std::chrono::milliseconds(1),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  };
  // Stopped first, so the stream is written in one pass of a still guest (no dirty-page
  // rounds), and the guest is where the agent waits for its answer.
  Status status = QmpExecute(qmp_socket, "stop", left());
  if (status.ok()) {
    // `cat >` truncates the claimed file and keeps its mode, 0600.
    Result<nlohmann::json> started =
        QmpCommand(qmp_socket, "migrate", {{"uri", "exec:cat > " + ShellQuoted(partial)}}, left());
    if (!started.ok()) status = started.status();
  }
  while (status.ok()) {
    Result<nlohmann::json> info = QmpCommand(qmp_socket, "query-migrate", nullptr, left());
    if (!info.ok()) {
      status = info.status();
      break;
    }
    std::string state = info->value("status", "");
    if (state == "completed") break;
    if (state == "failed" || state == "cancelled") {
      status = Status::Error("QEMU's migration to " + partial + " " + state + ": " +
                             info->value("error-desc", std::string("no reason given")));
      break;
    }
    if (Clock::now() >= deadline) {
      status = Status::Error("the snapshot to " + partial + " took longer than " +
                             std::to_string(timeout.count()) + " ms");
      (void)QmpExecute(qmp_socket, "migrate_cancel", left());
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  if (status.ok() && ::rename(partial.c_str(), path.c_str()) != 0) {
    status = SysError("rename", partial);
  }
  if (!status.ok()) (void)::unlink(partial.c_str());
  // The VM stays paused after a migration until told to go on: it is a replica too.
  Status resumed = QmpExecute(qmp_socket, "cont", std::chrono::seconds(10));
  if (!status.ok()) return status.WithContext("snapshot " + path);
  return resumed.WithContext("resuming the VM after its snapshot");
}

Status AwaitRestore(VmProcess& process, const std::string& qmp_socket, const std::string& qemu_log,
                    std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::string last_error;
  for (;;) {
    if (process.WaitForExit(std::chrono::milliseconds(0))) {
      std::string why = LastLine(qemu_log);
      return Status::Error("QEMU " +
                           (process.wait_status() ? DescribeWaitStatus(*process.wait_status())
                                                  : std::string("exited")) +
                           (why.empty() ? "" : ": " + why));
    }
    // The QMP socket appears once QEMU has parsed its arguments; until then, connect fails.
    Result<nlohmann::json> status =
        QmpCommand(qmp_socket, "query-status", nullptr, std::chrono::seconds(5));
    if (status.ok() && status->value("status", "") == "running") return Status::Ok();
    // The snapshot was taken of a stopped VM, and QEMU restores that too: once the state is
    // loaded, the guest is told to go on.
    if (status.ok() && status->value("status", "") == "paused") {
      Result<nlohmann::json> incoming =
          QmpCommand(qmp_socket, "query-migrate", nullptr, std::chrono::seconds(5));
      if (incoming.ok() && incoming->value("status", "") == "completed") {
        return QmpExecute(qmp_socket, "cont", std::chrono::seconds(10));
      }
    }
    if (!status.ok()) last_error = status.status().message();
    if (Clock::now() >= deadline) {
      return Status::Error("the restored VM was not running after " +
                           std::to_string(timeout.count()) + " ms" +
                           (last_error.empty() ? "" : ": " + last_error));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace i2kit
