#include "guest-agent/runc_runtime.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>

#include "common/text_file.h"

namespace i2kit {

RuncRuntime::RuncRuntime(std::string runc, std::string state_root, std::string bundles,
                         std::map<std::string, ContainerRootPaths> roots)
    : runc_(std::move(runc)),
      root_(std::move(state_root)),
      bundles_(std::move(bundles)),
      roots_(std::move(roots)) {}

void RuncRuntime::RefuseStart(const std::string& name, std::string reason) {
  refused_[name] = std::move(reason);
}

Result<pid_t> RuncRuntime::Start(const std::string& name, int stdout_fd, int stderr_fd) {
  if (auto refused = refused_.find(name); refused != refused_.end()) {
    return Status::Error(refused->second);
  }
  std::string bundle = bundles_ + "/" + name;
  std::string pid_file = bundle + "/container.pid";
  // A container of the same name left by a previous start (it crashed) is removed first.
  Cleanup(name);
  if (auto root = roots_.find(name); root != roots_.end()) {
    if (Status s = FreshWritableLayer(root->second); !s.ok()) {
      return s.WithContext("the writable layer of " + name);
    }
  }
  Result<int> code = RunProcess(
      {runc_, "--root", root_, "run", "--detach", "--bundle", bundle, "--pid-file", pid_file, name},
      stdout_fd, stderr_fd);
  if (!code.ok()) return code.status().WithContext("runc run " + name);
  if (*code != 0) {
    return Status::Error("runc run " + name + " exited with " + std::to_string(*code) +
                         " (its error is in the container's log)");
  }
  std::string text = ReadTextFile(pid_file);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  pid_t pid = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (error != std::errc() || end != text.data() + text.size() || pid <= 0)
    return Status::Error("runc run " + name + ": no pid in " + pid_file);
  return pid;
}

void RuncRuntime::Cleanup(const std::string& name) {
  // runc keeps a container's state in ROOT/NAME: without it there is nothing to delete, and
  // not starting runc for nothing saves seconds per container under TCG.
  struct stat st;
  if (::lstat((root_ + "/" + name).c_str(), &st) != 0 && errno == ENOENT) return;
  (void)RunProcess({runc_, "--root", root_, "delete", "--force", name});
}

std::vector<std::string> RuncRuntime::ExecArgv(const std::string& name,
                                               const std::vector<std::string>& command) {
  std::vector<std::string> argv = {runc_, "--root", root_, "exec", name};
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

}  // namespace i2kit
