#include "local-vm/port_mapping.h"

#include <charconv>

namespace i2kit {
namespace {

constexpr const char* kForm = "expected HOSTPORT:CONTAINERPORT[/tcp|/udp], e.g. 8080:80";

// A decimal port number 1-65535 with nothing else around it.
bool ParsePortNumber(std::string_view text, int& port) {
  if (text.empty() || text.size() > 5) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, port);
  return ec == std::errc() && ptr == end && port >= 1 && port <= 65535;
}

}  // namespace

Result<PublishedPort> ParsePublishedPort(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::Error("bad port mapping '" + std::string(text) + "': " + why);
  };
  PublishedPort port;
  std::string_view ports = text;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view protocol = text.substr(slash + 1);
    ports = text.substr(0, slash);
    if (protocol == "udp") {
      port.protocol = Protocol::kUdp;
    } else if (protocol != "tcp") {
      return bad("protocol must be tcp or udp");
    }
  }
  size_t colon = ports.find(':');
  if (colon == std::string_view::npos) return bad(kForm);
  if (ports.find(':', colon + 1) != std::string_view::npos) {
    return bad("published ports listen on 127.0.0.1 only; give no host address (" +
               std::string(kForm) + ")");
  }
  if (!ParsePortNumber(ports.substr(0, colon), port.host_port)) {
    return bad("host port must be a number from 1 to 65535");
  }
  if (!ParsePortNumber(ports.substr(colon + 1), port.container_port)) {
    return bad("container port must be a number from 1 to 65535");
  }
  return port;
}

Status CheckDistinctHostPorts(const std::vector<PublishedPort>& ports) {
  for (size_t i = 0; i < ports.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (ports[i].host_port == ports[j].host_port && ports[i].protocol == ports[j].protocol) {
        return Status::Error("host port " + std::to_string(ports[i].host_port) + "/" +
                             PortProtocolName(ports[i].protocol) + " is published twice");
      }
    }
  }
  return Status::Ok();
}

const char* PortProtocolName(Protocol protocol) {
  return protocol == Protocol::kUdp ? "udp" : "tcp";
}

std::string FormatPublishedPort(const PublishedPort& port) {
  return "127.0.0.1:" + std::to_string(port.host_port) + "->" +
         std::to_string(port.container_port) + "/" + PortProtocolName(port.protocol);
}

}  // namespace i2kit
