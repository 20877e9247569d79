// Published ports: `-p HOSTPORT:CONTAINERPORT[/tcp|/udp]` asks QEMU's user network to forward
// 127.0.0.1:HOSTPORT on this host to the Pod's CONTAINERPORT. Pure parsing and checking; whether
// a host port is free is asked of the kernel (local_ports.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

struct PublishedPort {
  int host_port = 0;
  int container_port = 0;
  Protocol protocol = Protocol::kTcp;  // TCP or UDP: QEMU's user network forwards nothing else

  bool operator==(const PublishedPort&) const = default;
};

// Parses "8080:80", "8080:80/tcp" or "5353:53/udp". Ports are 1-65535. Host addresses are
// refused: published ports listen on 127.0.0.1 only.
Result<PublishedPort> ParsePublishedPort(std::string_view text);

// Refuses the same host port twice for one protocol.
Status CheckDistinctHostPorts(const std::vector<PublishedPort>& ports);

// "tcp" or "udp", as in the mapping's suffix.
const char* PortProtocolName(Protocol protocol);

// "127.0.0.1:18080->8080/tcp", as `ps` and `run` print it.
std::string FormatPublishedPort(const PublishedPort& port);

}  // namespace i2kit
