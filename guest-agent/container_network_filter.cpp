#include "guest-agent/container_network_filter.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <optional>

#include "common/pod_vm.h"
#include "guest-agent/cgroup_bpf.h"

namespace i2kit {
namespace {

// A destination as the programs compare it: the address as the 32-bit words of struct
// bpf_sock_addr's user_ip4 / user_ip6 (network byte order, loaded as they lie in memory), and
// the port as user_port holds it (network byte order in the low 16 bits).
struct Rule {
  std::optional<uint32_t> ip4;                 // in the IPv4 programs
  std::optional<std::array<uint32_t, 4>> ip6;  // in the IPv6 programs
  bool every_address = false;
  std::optional<uint32_t> port;
};

std::array<uint32_t, 4> Words(const in6_addr& a) {
  std::array<uint32_t, 4> words{};
  std::memcpy(words.data(), &a, sizeof a);
  return words;
}

Result<Rule> Compile(const BlockedDestination& d) {
  Rule rule;
  if (d.port != 0) rule.port = htons(d.port);
  if (d.address.empty()) {
    rule.every_address = true;
    return rule;
  }
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, d.address.c_str(), &v4) == 1) {
    rule.ip4 = v4.s_addr;
    in6_addr mapped{};
    mapped.s6_addr[10] = mapped.s6_addr[11] = 0xff;
    std::memcpy(&mapped.s6_addr[12], &v4, sizeof v4);
    rule.ip6 = Words(mapped);
  } else if (::inet_pton(AF_INET6, d.address.c_str(), &v6) == 1) {
    rule.ip6 = Words(v6);
  } else {
    return Status::Error("blocked destination " + d.address + " is no IPv4 or IPv6 address");
  }
  return rule;
}

enum class Family { kIpv4, kIpv6 };

// Per rule: if every condition holds, refuse (return 0, which the kernel turns into EPERM);
// after the last rule, allow (1). 32-bit jumps (JMP32), because a 64-bit compare would
// sign-extend an address word with its top bit set.
std::vector<bpf_insn> Program(Family family, const std::vector<Rule>& rules) {
  constexpr uint8_t kPort = 7;  // r2..r5: the address words; r7: the port
  std::vector<bpf_insn> program = {
      Insn(BPF_LDX | BPF_MEM | BPF_W, kPort, 1, offsetof(bpf_sock_addr, user_port), 0)};
  if (family == Family::kIpv4) {
    program.push_back(Insn(BPF_LDX | BPF_MEM | BPF_W, 2, 1, offsetof(bpf_sock_addr, user_ip4), 0));
  } else {
    for (int i = 0; i < 4; ++i) {
      int16_t offset = static_cast<int16_t>(offsetof(bpf_sock_addr, user_ip6) + 4 * i);
      program.push_back(Insn(BPF_LDX | BPF_MEM | BPF_W, static_cast<uint8_t>(2 + i), 1, offset, 0));
    }
  }
  for (const Rule& rule : rules) {
    std::vector<std::pair<uint8_t, uint32_t>> conditions;  // (register, value it must hold)
    if (!rule.every_address) {
      if (family == Family::kIpv4) {
        if (!rule.ip4) continue;  // an IPv6 address: no IPv4 socket can reach it
        conditions.push_back({2, *rule.ip4});
      } else {
        for (int i = 0; i < 4; ++i)
          conditions.push_back({static_cast<uint8_t>(2 + i), (*rule.ip6)[i]});
      }
    }
    if (rule.port) conditions.push_back({kPort, *rule.port});
    for (size_t i = 0; i < conditions.size(); ++i) {
      // Past the rest of the conditions and the refusal's two instructions.
      auto past_rule = static_cast<int16_t>(conditions.size() - 1 - i + 2);
      program.push_back(Insn(BPF_JMP32 | BPF_JNE | BPF_K, conditions[i].first, 0, past_rule,
                             static_cast<int32_t>(conditions[i].second)));
    }
    program.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));
    program.push_back(Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  }
  program.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1));
  program.push_back(Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  return program;
}

}  // namespace

std::vector<BlockedDestination> PodBlockedDestinations(const std::string& metadata_address,
                                                       const std::vector<int>& agent_ports) {
  std::vector<BlockedDestination> blocked = {{pod_vm::kEc2MetadataAddress, 0},
                                             {"fd00:ec2::254", 0}};
  if (metadata_address != pod_vm::kEc2MetadataAddress) blocked.push_back({metadata_address, 0});
  if (metadata_address == pod_vm::kLocalMetadataAddress) {
    blocked.push_back({pod_vm::kLocalHostAddress, 0});
  }
  for (int port : agent_ports) blocked.push_back({"", static_cast<uint16_t>(port)});
  return blocked;
}

Result<ContainerNetworkFilter> ContainerNetworkFilter::Attach(
    const std::string& cgroup, const std::vector<BlockedDestination>& blocked) {
  std::vector<Rule> rules;
  for (const BlockedDestination& d : blocked) {
    Result<Rule> rule = Compile(d);
    if (!rule.ok()) return rule.status();
    rules.push_back(*rule);
  }
  struct Hook {
    Family family;
    bpf_attach_type attach;
  };
  std::vector<UniqueFd> links;
  for (Hook hook :
       {Hook{Family::kIpv4, BPF_CGROUP_INET4_CONNECT}, Hook{Family::kIpv4, BPF_CGROUP_UDP4_SENDMSG},
        Hook{Family::kIpv6, BPF_CGROUP_INET6_CONNECT},
        Hook{Family::kIpv6, BPF_CGROUP_UDP6_SENDMSG}}) {
    Result<UniqueFd> program =
        LoadBpfProgram(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, hook.attach, Program(hook.family, rules));
    if (!program.ok()) return program.status().WithContext("container network filter");
    // The link holds the program: its own descriptor can go.
    Result<UniqueFd> link = LinkBpfProgramToCgroup(*program, cgroup, hook.attach);
    if (!link.ok()) return link.status().WithContext("container network filter");
    links.push_back(std::move(link).value());
  }
  return ContainerNetworkFilter(std::move(links));
}

}  // namespace i2kit
