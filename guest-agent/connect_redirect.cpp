#include "guest-agent/connect_redirect.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <vector>

namespace i2kit {
namespace {

constexpr uint32_t kMaxRoutes = 1024;

long Bpf(int command, bpf_attr& attr) {
  return ::syscall(SYS_bpf, command, &attr, sizeof attr);
}

Status BpfError(const std::string& command) {
  return Status::Error("bpf(" + command + ") failed: " + std::strerror(errno));
}

// The map's key and value: an address and a port as struct bpf_sock_addr holds them (both in
// network byte order, the port in the low 16 bits of a u32).
struct Endpoint {
  uint32_t ip4;
  uint32_t port;
};

Endpoint Wire(const Ipv4Endpoint& e) { return {htonl(e.address), htons(e.port)}; }

bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn insn{};
  insn.code = code;
  insn.dst_reg = dst & 0xf;
  insn.src_reg = src & 0xf;
  insn.off = off;
  insn.imm = imm;
  return insn;
}

// r0 = lookup(map, {ctx->user_ip4, ctx->user_port}); if found, rewrite both; allow the connect.
std::vector<bpf_insn> Program(int map_fd) {
  const int16_t ip = offsetof(bpf_sock_addr, user_ip4);
  const int16_t port = offsetof(bpf_sock_addr, user_port);
  return {
      Insn(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),          // r6 = ctx
      Insn(BPF_LDX | BPF_MEM | BPF_W, 2, 6, ip, 0),           // r2 = ctx->user_ip4
      Insn(BPF_STX | BPF_MEM | BPF_W, 10, 2, -8, 0),          // key.ip4 = r2
      Insn(BPF_LDX | BPF_MEM | BPF_W, 2, 6, port, 0),         // r2 = ctx->user_port
      Insn(BPF_STX | BPF_MEM | BPF_W, 10, 2, -4, 0),          // key.port = r2
      Insn(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map_fd),  // r1 = map
      Insn(0, 0, 0, 0, 0),
      Insn(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),         // r2 = &key
      Insn(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8),
      Insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
      Insn(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4, 0),            // not found: leave it
      Insn(BPF_LDX | BPF_MEM | BPF_W, 2, 0, 0, 0),            // ctx->user_ip4 = value.ip4
      Insn(BPF_STX | BPF_MEM | BPF_W, 6, 2, ip, 0),
      Insn(BPF_LDX | BPF_MEM | BPF_W, 2, 0, 4, 0),            // ctx->user_port = value.port
      Insn(BPF_STX | BPF_MEM | BPF_W, 6, 2, port, 0),
      Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),          // allow
      Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
  };
}

}  // namespace

Result<ConnectRedirect> ConnectRedirect::Attach(const std::string& cgroup) {
  bpf_attr attr{};
  attr.map_type = BPF_MAP_TYPE_HASH;
  attr.key_size = sizeof(Endpoint);
  attr.value_size = sizeof(Endpoint);
  attr.max_entries = kMaxRoutes;
  UniqueFd map(static_cast<int>(Bpf(BPF_MAP_CREATE, attr)));
  if (!map.valid()) return BpfError("BPF_MAP_CREATE");

  std::vector<bpf_insn> program = Program(map.get());
  static const char kLicense[] = "GPL";
  std::vector<char> log(64 * 1024);
  attr = bpf_attr{};
  attr.prog_type = BPF_PROG_TYPE_CGROUP_SOCK_ADDR;
  attr.expected_attach_type = BPF_CGROUP_INET4_CONNECT;
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

  UniqueFd target(::open(cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!target.valid()) return Status::Error("open " + cgroup + ": " + std::strerror(errno));
  attr = bpf_attr{};
  attr.link_create.prog_fd = static_cast<uint32_t>(loaded.get());
  attr.link_create.target_fd = static_cast<uint32_t>(target.get());
  attr.link_create.attach_type = BPF_CGROUP_INET4_CONNECT;
  UniqueFd link(static_cast<int>(Bpf(BPF_LINK_CREATE, attr)));
  if (!link.valid()) return BpfError("BPF_LINK_CREATE on " + cgroup);
  return ConnectRedirect(std::move(map), std::move(loaded), std::move(link));
}

Status ConnectRedirect::Set(const std::map<Ipv4Endpoint, Ipv4Endpoint>& routes) {
  if (routes.size() > kMaxRoutes) return Status::Error("more than 1024 service ports");
  for (const auto& [from, to] : current_) {
    if (routes.count(from)) continue;
    Endpoint key = Wire(from);
    bpf_attr attr{};
    attr.map_fd = static_cast<uint32_t>(map_.get());
    attr.key = reinterpret_cast<uint64_t>(&key);
    if (Bpf(BPF_MAP_DELETE_ELEM, attr) != 0 && errno != ENOENT) return BpfError("BPF_MAP_DELETE_ELEM");
  }
  for (const auto& [from, to] : routes) {
    Endpoint key = Wire(from), value = Wire(to);
    bpf_attr attr{};
    attr.map_fd = static_cast<uint32_t>(map_.get());
    attr.key = reinterpret_cast<uint64_t>(&key);
    attr.value = reinterpret_cast<uint64_t>(&value);
    attr.flags = BPF_ANY;
    if (Bpf(BPF_MAP_UPDATE_ELEM, attr) != 0) return BpfError("BPF_MAP_UPDATE_ELEM");
  }
  current_ = routes;
  return Status::Ok();
}

}  // namespace i2kit
