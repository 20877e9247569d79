// What a Pod knows about itself, as Kubernetes' Downward API says it: fieldRef (name,
// namespace, labels, address) and resourceFieldRef (a container's limits and requests). Used
// by env[].valueFrom (env_resolution.h) and downwardAPI volumes (pod_volumes.h) alike.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

// The facts the agent learns at boot.
struct PodFacts {
  std::string name;  // metadata.name: the Pod's hostname as the agent names it ("shop-0")
  std::string namespace_name;
  std::map<std::string, std::string> labels;
  std::string pod_ip;  // status.podIP: the VM's address
  // Node allocatable, as Kubernetes defaults an unset limit to it: the VM's CPUs and memory.
  int64_t vm_cpu_millis = 0;
  int64_t vm_memory_bytes = 0;
};

// Kubernetes' rendering of a map in a downwardAPI file: `key="value"` lines sorted by key,
// the value quoted as Go's %q does, no newline after the last.
std::string FormatDownwardMap(const std::map<std::string, std::string>& values);

// The value of `field` for container `asking` of `pod` (resourceFieldRef's containerName,
// when set, names another). Resources: an unset limit is the VM's (node allocatable), an
// unset request is the limit when set, else 0; the value is divided by the divisor rounding
// up, as the kubelet does (500m CPU with divisor 1 is "1"). Errors name the field.
Result<std::string> ResolvePodField(const PodField& field, const PodFacts& facts,
                                    const Deployment& pod, const std::string& asking);

}  // namespace i2kit
