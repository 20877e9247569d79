// Whether a file is a statically linked ELF executable: what the Pod VM's programs must be
// (the agent, the EC2 reporter) and what some tests need of the tools they borrow.
#pragma once

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace i2kit::testing {

// True for an ELF executable without a program interpreter (the dynamic loader).
inline bool IsStaticExecutable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string elf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Elf64_Ehdr header{};
  if (elf.size() < sizeof header) return false;
  std::memcpy(&header, elf.data(), sizeof header);
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) return false;
  for (size_t i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr program{};
    size_t at = header.e_phoff + i * header.e_phentsize;
    if (at + sizeof program > elf.size()) return false;
    std::memcpy(&program, elf.data() + at, sizeof program);
    if (program.p_type == PT_INTERP) return false;
  }
  return true;
}

}  // namespace i2kit::testing
