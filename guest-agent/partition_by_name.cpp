#include "guest-agent/partition_by_name.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace i2kit {

std::string DevnameIfPartition(const std::string& uevent, const std::string& name) {
  std::istringstream lines(uevent);
  std::string devname;
  bool named = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("DEVNAME=", 0) == 0) devname = line.substr(8);
    if (line == "PARTNAME=" + name) named = true;
  }
  return named ? devname : "";
}

Result<std::string> FindPartitionByName(const std::string& class_block, const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string found;
  for (fs::directory_iterator it(class_block, ec), end; !ec && it != end; it.increment(ec)) {
    std::ifstream in(it->path() / "uevent");
    std::stringstream text;
    text << in.rdbuf();
    std::string devname = DevnameIfPartition(text.str(), name);
    // A DEVNAME is a path below /dev; one with ".." would not be the kernel's.
    if (devname.empty() || devname.find("..") != std::string::npos) continue;
    if (!found.empty()) {
      return Status::Error("partition '" + name + "' is on two devices: " + found + " and /dev/" +
                           devname);
    }
    found = "/dev/" + devname;
  }
  if (ec) return Status::Error("listing " + class_block + ": " + ec.message());
  if (found.empty()) return Status::Error("no partition named '" + name + "' in " + class_block);
  return found;
}

Result<std::string> WaitForPartitionByName(const std::string& class_block, const std::string& name,
                                           std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    Result<std::string> device = FindPartitionByName(class_block, name);
    if (device.ok() || std::chrono::steady_clock::now() >= deadline) return device;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace i2kit
