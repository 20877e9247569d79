#include "guest-agent/connect_redirect.h"

#include <arpa/inet.h>

#include <cstddef>
#include <vector>

#include "guest-agent/cgroup_bpf.h"

namespace i2kit {
namespace {

constexpr uint32_t kMaxRoutes = 1024;

// The map's key, and a backend: an address and a port as struct bpf_sock_addr holds them (both
// in network byte order, the port in the low 16 bits of a u32).
struct Endpoint {
  uint32_t ip4;
  uint32_t port;
};

// The map's value: where connections to the key go, one backend picked per connect.
struct Backends {
  uint32_t count;  // 1..kMaxBackends
  Endpoint backend[ConnectRedirect::kMaxBackends];
};

Endpoint Wire(const Ipv4Endpoint& e) {
  return {htonl(e.address), htons(e.port)};
}

// value = lookup(map, {ctx->user_ip4, ctx->user_port}); if found, pick
// value.backend[random % value.count] and rewrite the address and port to it; allow the connect.
std::vector<bpf_insn> Program(int map_fd) {
  const int16_t ip = offsetof(bpf_sock_addr, user_ip4);
  const int16_t port = offsetof(bpf_sock_addr, user_port);
  const int16_t first = offsetof(Backends, backend);
  constexpr int kAllow = 23;  // the index of "allow" below; a jump's offset counts from pc + 1
  auto to_allow = [](int pc) { return static_cast<int16_t>(kAllow - (pc + 1)); };
  return {
      Insn(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),   // 0: r6 = ctx
      Insn(BPF_LDX | BPF_MEM | BPF_W, 2, 6, ip, 0),    // 1: key.ip4 = ctx->user_ip4
      Insn(BPF_STX | BPF_MEM | BPF_W, 10, 2, -8, 0),   // 2
      Insn(BPF_LDX | BPF_MEM | BPF_W, 2, 6, port, 0),  // 3: key.port = ctx->user_port
      Insn(BPF_STX | BPF_MEM | BPF_W, 10, 2, -4, 0),   // 4
      Insn(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map_fd),  // 5: r1 = map
      Insn(0, 0, 0, 0, 0),                                               // 6
      Insn(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),                    // 7: r2 = &key
      Insn(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8),                    // 8
      Insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),       // 9
      Insn(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, to_allow(10), 0),            // 10: not found: leave it
      Insn(BPF_ALU64 | BPF_MOV | BPF_X, 7, 0, 0, 0),                     // 11: r7 = value
      Insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_prandom_u32),       // 12: r0 = random
      Insn(BPF_LDX | BPF_MEM | BPF_W, 2, 7, 0, 0),                       // 13: r2 = value.count
      Insn(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, to_allow(14), 0),  // 14: never 0, but mod needs it
      Insn(BPF_ALU | BPF_MOD | BPF_X, 0, 2, 0, 0),             // 15: w0 %= w2
      // 16: the verifier does not bound a modulo; this tells it the index is in the array.
      Insn(BPF_JMP | BPF_JGE | BPF_K, 0, 0, to_allow(16), ConnectRedirect::kMaxBackends),
      Insn(BPF_ALU64 | BPF_LSH | BPF_K, 0, 0, 0, 3),        // 17: r0 *= sizeof(Endpoint)
      Insn(BPF_ALU64 | BPF_ADD | BPF_X, 7, 0, 0, 0),        // 18: r7 = &backend[r0] - first
      Insn(BPF_LDX | BPF_MEM | BPF_W, 2, 7, first, 0),      // 19: ctx->user_ip4 = .ip4
      Insn(BPF_STX | BPF_MEM | BPF_W, 6, 2, ip, 0),         // 20
      Insn(BPF_LDX | BPF_MEM | BPF_W, 2, 7, first + 4, 0),  // 21: ctx->user_port = .port
      Insn(BPF_STX | BPF_MEM | BPF_W, 6, 2, port, 0),       // 22
      Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),        // 23 (kAllow): allow
      Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),                 // 24
  };
}

}  // namespace

Result<ConnectRedirect> ConnectRedirect::Attach(const std::string& cgroup) {
  Result<UniqueFd> map = CreateBpfHashMap(sizeof(Endpoint), sizeof(Backends), kMaxRoutes);
  if (!map.ok()) return map.status();
  Result<UniqueFd> loaded =
      LoadBpfProgram(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, Program(map->get()));
  if (!loaded.ok()) return loaded.status();
  Result<UniqueFd> link = LinkBpfProgramToCgroup(*loaded, cgroup, BPF_CGROUP_INET4_CONNECT);
  if (!link.ok()) return link.status();
  return ConnectRedirect(std::move(map).value(), std::move(loaded).value(),
                         std::move(link).value());
}

Status ConnectRedirect::Set(const Routes& routes) {
  if (routes.size() > kMaxRoutes) return Status::Error("more than 1024 service ports");
  for (const auto& [from, to] : routes) {
    if (to.empty() || to.size() > kMaxBackends) {
      return Status::Error("1 to " + std::to_string(kMaxBackends) + " backends per service port");
    }
  }
  for (const auto& [from, to] : current_) {
    if (routes.count(from)) continue;
    Endpoint key = Wire(from);
    if (Status s = DeleteFromBpfMap(map_, &key); !s.ok()) return s;
  }
  for (const auto& [from, to] : routes) {
    Endpoint key = Wire(from);
    Backends value{};
    value.count = static_cast<uint32_t>(to.size());
    for (size_t i = 0; i < to.size(); ++i) value.backend[i] = Wire(to[i]);
    if (Status s = UpdateBpfMap(map_, &key, &value); !s.ok()) return s;
  }
  current_ = routes;
  return Status::Ok();
}

}  // namespace i2kit
