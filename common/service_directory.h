// The local service directory: which deployments a Pod can reach by name, and where. The host
// builds it from the controllers that run (one load balancer per port on 127.0.0.1) and the
// Kubernetes Services that select them; the guest agent fetches it from the metadata service
// (pod_vm.h kServiceDirectoryPath), answers DNS for its names and routes their ports.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace i2kit {

// The domain a name may carry (`web` and `web.<domain>`), like the paper's Route 53 zone.
inline constexpr const char* kDefaultServiceDomain = "i2kit.local";

// How many deployments one Service port may spread over (each one's balancer is a backend).
inline constexpr size_t kMaxDirectoryBackends = 8;

struct DirectoryPort {
  int port = 0;  // what a client connects to: the container port, or a Service's port
  // The load balancers on the host's 127.0.0.1: one for a deployment, one per matching
  // deployment for a Service; each connection picks one at random, as Kubernetes does for the
  // Pods behind a Service. 1..kMaxDirectoryBackends of them, sorted.
  std::vector<int> host_ports;
  bool operator==(const DirectoryPort&) const = default;
};

struct DirectoryEntry {
  std::string name;  // a DNS-1123 label: a Deployment's or a Service's name
  std::vector<DirectoryPort> ports;
  bool operator==(const DirectoryEntry&) const = default;
};

struct ServiceDirectory {
  std::string domain = kDefaultServiceDomain;
  std::vector<DirectoryEntry> entries;  // sorted by name, names unique

  // The entry for a DNS name: "web", "web.<domain>", any case, with or without a final dot.
  const DirectoryEntry* Find(std::string_view dns_name) const;
  bool operator==(const ServiceDirectory&) const = default;
};

// Empty when `domain` is dot-separated DNS-1123 labels (253 characters at most), else what is
// wrong with it.
std::string CheckServiceDomain(std::string_view domain);

std::string DirectoryToJson(const ServiceDirectory& directory);
// Fails naming what is wrong; bad entries (a bad name, a port out of range) are errors, so
// that what the agent serves is always well-formed.
Result<ServiceDirectory> DirectoryFromJson(std::string_view text);

}  // namespace i2kit
