// A cgroup2 directory for one test, and a way to run code in a child process inside it: the
// cgroup eBPF programs (connect_redirect.h, container_network_filter.h) tried for real. Needs
// root and a cgroup2 hierarchy; path() is empty without them, and the test skips.
#pragma once

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <string>

namespace i2kit::guest_test {

class TestCgroup {
 public:
  // `name` below the hierarchy's root, or below `parent` when given.
  explicit TestCgroup(const std::string& name, const TestCgroup* parent = nullptr) {
    if (parent != nullptr) {
      if (!parent->path().empty()) Make(parent->path() + "/" + name);
      return;
    }
    for (const char* root : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
      struct statfs fs {};
      if (::statfs(root, &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC) continue;
      Make(std::string(root) + "/" + name + "-" + std::to_string(::getpid()));
      return;
    }
  }
  ~TestCgroup() {
    if (!path_.empty()) ::rmdir(path_.c_str());
  }
  TestCgroup(const TestCgroup&) = delete;
  TestCgroup& operator=(const TestCgroup&) = delete;
  const std::string& path() const { return path_; }

 private:
  void Make(const std::string& path) {
    if (::geteuid() == 0 && ::mkdir(path.c_str(), 0755) == 0) path_ = path;
  }
  std::string path_;
};

// Runs `body` in a child process moved into `cgroup` (none when empty) and returns what it
// returned (its exit code, 0..255), or -1 when the child did not exit normally.
inline int RunInCgroup(const std::string& cgroup, const std::function<int()>& body) {
  pid_t child = ::fork();
  if (child == 0) {
    if (!cgroup.empty()) std::ofstream(cgroup + "/cgroup.procs") << ::getpid() << "\n";
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace i2kit::guest_test
