// The few bpf() calls the agent's cgroup programs need: a hash map, a hand-assembled program
// loaded (the verifier's log in the error when it refuses), and a BPF link that attaches it to
// a cgroup2 directory until the link's descriptor is closed. No libbpf and no compiler at build
// time: the programs are a few dozen instructions, written with Insn(). Every descriptor the
// kernel returns is close-on-exec.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"

namespace i2kit {

// One eBPF instruction (registers 0..10, a 16-bit offset, a 32-bit immediate).
bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm);

// A BPF_MAP_TYPE_HASH map of `max_entries` (key, value) pairs of the given sizes.
Result<UniqueFd> CreateBpfHashMap(uint32_t key_size, uint32_t value_size, uint32_t max_entries);
// Inserts or replaces map[key] = value; deletes map[key] (absent is no error).
Status UpdateBpfMap(const UniqueFd& map, const void* key, const void* value);
Status DeleteFromBpfMap(const UniqueFd& map, const void* key);

// Loads `program` (GPL) as `type`, to be attached at `attach`.
Result<UniqueFd> LoadBpfProgram(bpf_prog_type type, bpf_attach_type attach,
                                const std::vector<bpf_insn>& program);

// Attaches `program` to the cgroup2 directory `cgroup` at `attach` through a BPF link: it runs
// for every process in that cgroup and below, after the programs of cgroups further down, and
// detaches when the returned descriptor is closed.
Result<UniqueFd> LinkBpfProgramToCgroup(const UniqueFd& program, const std::string& cgroup,
                                        bpf_attach_type attach);

}  // namespace i2kit
