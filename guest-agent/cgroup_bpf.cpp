#include "guest-agent/cgroup_bpf.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/sys_error.h"

namespace i2kit {
namespace {

long Bpf(int command, bpf_attr& attr) {
  return ::syscall(SYS_bpf, command, &attr, sizeof attr);
}

Status BpfError(const std::string& command) {
  return SysError("bpf", command);
}

}  // namespace

bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn insn{};
  insn.code = code;
  insn.dst_reg = dst & 0xf;
  insn.src_reg = src & 0xf;
  insn.off = off;
  insn.imm = imm;
  return insn;
}

Result<UniqueFd> CreateBpfHashMap(uint32_t key_size, uint32_t value_size, uint32_t max_entries) {
  bpf_attr attr{};
  attr.map_type = BPF_MAP_TYPE_HASH;
  attr.key_size = key_size;
  attr.value_size = value_size;
  attr.max_entries = max_entries;
  UniqueFd map(static_cast<int>(Bpf(BPF_MAP_CREATE, attr)));
  if (!map.valid()) return BpfError("BPF_MAP_CREATE");
  return map;
}

Status UpdateBpfMap(const UniqueFd& map, const void* key, const void* value) {
  bpf_attr attr{};
  attr.map_fd = static_cast<uint32_t>(map.get());
  attr.key = reinterpret_cast<uint64_t>(key);
  attr.value = reinterpret_cast<uint64_t>(value);
  attr.flags = BPF_ANY;
  if (Bpf(BPF_MAP_UPDATE_ELEM, attr) != 0) return BpfError("BPF_MAP_UPDATE_ELEM");
  return Status::Ok();
}

Status DeleteFromBpfMap(const UniqueFd& map, const void* key) {
  bpf_attr attr{};
  attr.map_fd = static_cast<uint32_t>(map.get());
  attr.key = reinterpret_cast<uint64_t>(key);
  if (Bpf(BPF_MAP_DELETE_ELEM, attr) != 0 && errno != ENOENT) {
    return BpfError("BPF_MAP_DELETE_ELEM");
  }
  return Status::Ok();
}

Result<UniqueFd> LoadBpfProgram(bpf_prog_type type, bpf_attach_type attach,
                                const std::vector<bpf_insn>& program) {
  static const char kLicense[] = "GPL";
  std::vector<char> log(64 * 1024);
  bpf_attr attr{};
  attr.prog_type = type;
  attr.expected_attach_type = attach;
  attr.insns = reinterpret_cast<uint64_t>(program.data());
  attr.insn_cnt = static_cast<uint32_t>(program.size());
  attr.license = reinterpret_cast<uint64_t>(kLicense);
  attr.log_buf = reinterpret_cast<uint64_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_level = 1;
  UniqueFd loaded(static_cast<int>(Bpf(BPF_PROG_LOAD, attr)));
  if (!loaded.valid()) {
    return BpfError("BPF_PROG_LOAD").WithContext(std::string("verifier: ") + log.data());
  }
  return loaded;
}

Result<UniqueFd> LinkBpfProgramToCgroup(const UniqueFd& program, const std::string& cgroup,
                                        bpf_attach_type attach) {
  UniqueFd target(::open(cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!target.valid()) return SysError("open", cgroup);
  bpf_attr attr{};
  attr.link_create.prog_fd = static_cast<uint32_t>(program.get());
  attr.link_create.target_fd = static_cast<uint32_t>(target.get());
  attr.link_create.attach_type = attach;
  UniqueFd link(static_cast<int>(Bpf(BPF_LINK_CREATE, attr)));
  if (!link.valid()) return BpfError("BPF_LINK_CREATE on " + cgroup);
  return link;
}

}  // namespace i2kit
