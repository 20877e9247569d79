#include "guest-agent/ec2_reporter_launch.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/pod_vm.h"
#include "common/sys_error.h"
#include "common/text_file.h"
#include "common/unique_fd.h"
#include "guest-agent/container_runtime.h"
#include "guest-agent/file_tree.h"
#include "guest-agent/partition_by_name.h"

namespace i2kit {

Result<std::optional<Ec2ReporterFiles>> MountEc2Partition(const std::string& class_block,
                                                          const std::string& mount_point) {
  Result<std::optional<std::string>> found =
      LookUpPartitionByName(class_block, pod_vm::kEc2PartitionName);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<Ec2ReporterFiles>();
  const std::string& device = **found;
  if (Status s = MakeDirectories(mount_point); !s.ok()) return s;
  if (::mount(device.c_str(), mount_point.c_str(), "erofs", MS_RDONLY | MS_NOSUID | MS_NODEV,
              nullptr) != 0) {
    return SysError("mount erofs " + device, mount_point);
  }
  Ec2ReporterFiles files;
  files.binary = mount_point + "/" + pod_vm::kEc2ReporterBinary;
  files.ca_file = mount_point + "/" + pod_vm::kEc2CaBundle;
  if (::access(files.binary.c_str(), X_OK) != 0) {
    return Status::Error(device + " (" + pod_vm::kEc2PartitionName + ") has no " +
                         pod_vm::kEc2ReporterBinary);
  }
  return std::optional<Ec2ReporterFiles>(files);
}

namespace {

std::vector<std::string> ReporterFlags(const Ec2ReporterFiles& files,
                                       const std::string& metadata_address, LogLevel log_level) {
  return {"--metadata-url", "http://" + metadata_address + "/",
          "--ca-bundle",    files.ca_file,
          "--log-level",    LogLevelName(log_level)};
}

}  // namespace

AuxiliaryProcess Ec2ReporterProcess(const Ec2ReporterFiles& files, int agent_port,
                                    const std::string& metadata_address, LogLevel log_level) {
  std::vector<std::string> argv = {files.binary, "--agent-url",
                                   "http://127.0.0.1:" + std::to_string(agent_port) + "/"};
  for (std::string& flag : ReporterFlags(files, metadata_address, log_level)) {
    argv.push_back(std::move(flag));
  }
  return {"ec2-reporter", [argv] {
            // The agent's stdout and stderr are the console.
            return SpawnProcess(argv, -1, STDOUT_FILENO, STDERR_FILENO, kEc2ReporterIdentity);
          }};
}

namespace {

// The reporter run once in `mode`, under its own identity: what it wrote on stdout, or an
// error with its exit code when it exited with another than 0.
Result<std::string> RunReporterOnce(const Ec2ReporterFiles& files, const std::string& mode,
                                    const std::string& metadata_address, LogLevel log_level) {
  std::vector<std::string> argv = {files.binary, mode};
  for (std::string& flag : ReporterFlags(files, metadata_address, log_level)) {
    argv.push_back(std::move(flag));
  }
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) return SysError("pipe2");
  UniqueFd read_end(ends[0]);
  UniqueFd write_end(ends[1]);
  Result<pid_t> pid = SpawnProcess(argv, -1, write_end.get(), STDERR_FILENO, kEc2ReporterIdentity);
  write_end.reset();  // the child's copy alone keeps the pipe open
  if (!pid.ok()) return pid.status().WithContext("starting " + files.binary + " " + mode);
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      text.clear();  // a part of a value is no value; the child ends on its broken pipe
      read_end.reset();
      break;
    }
  }
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0) {
    if (errno != EINTR) return SysError("waitpid");
  }
  if (int code = ExitCodeOf(status); code != 0) {
    // Its own lines, on the console, say why; the output is not repeated (it may be a value).
    return Status::Error("i2kit-ec2-reporter " + mode + " exited with " + std::to_string(code));
  }
  if (!read_end.valid()) {
    return Status::Error("reading i2kit-ec2-reporter " + mode + "'s pipe failed");
  }
  return text;
}

}  // namespace

Result<std::string> FetchEc2DeploymentSecrets(const Ec2ReporterFiles& files,
                                              const std::string& metadata_address,
                                              LogLevel log_level) {
  return RunReporterOnce(files, "secrets", metadata_address, log_level);
}

Result<std::map<std::string, std::string>> ParseAttachedVolumes(std::string_view text) {
  std::map<std::string, std::string> serials;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> words = SplitWords(line);
    if (words.empty()) continue;
    if (words.size() != 2) {
      return Status::Error(
          "i2kit-ec2-reporter attach-volumes printed a line that is not "
          "NAME SERIAL: " +
          std::string(line.substr(0, 80)));
    }
    serials[std::string(words[0])] = std::string(words[1]);
  }
  return serials;
}

Result<std::map<std::string, std::string>> AttachEc2Volumes(const Ec2ReporterFiles& files,
                                                            const std::string& metadata_address,
                                                            LogLevel log_level) {
  Result<std::string> text = RunReporterOnce(files, "attach-volumes", metadata_address, log_level);
  if (!text.ok()) return text.status().WithContext("attaching the EBS volumes");
  return ParseAttachedVolumes(*text);
}

}  // namespace i2kit
