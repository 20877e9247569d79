// What the host-cli suites share: running i2kit-host in-process as a user would, manifest files
// in a directory of the test's own, and holding a port on 127.0.0.1 (loopback_listener.h).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host-cli/command.h"
#include "loopback_listener.h"

namespace i2kit {

// Manifest files in a temporary directory of the test's own (named after it), removed with it.
class ManifestFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("i2kit-manifests-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::filesystem::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::filesystem::path dir_;
};

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

// Runs `i2kit-host ARGS...` and returns its exit code and what it printed.
inline CliRun RunCli(std::vector<std::string> args) {
  args.insert(args.begin(), "i2kit-host");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  Console console{out, err};
  int code = RunHostCli(static_cast<int>(argv.size()), argv.data(), console);
  return {code, out.str(), err.str()};
}

}  // namespace i2kit
