// Reading a small text file whole (/proc and /etc files, the agent's own), for the agent's
// parts that only need its contents.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace i2kit {

// The file's contents; empty when it cannot be read (callers treat that as "nothing there").
inline std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace i2kit
