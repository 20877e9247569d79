#include "common/pod_checks.h"

#include <filesystem>

#include "common/names.h"

namespace i2kit {

void PodPorts::ClaimContainerPort(const YAML::Node& at, const std::string& path, int port,
                                  Protocol protocol, const std::string& container) {
  auto [it, inserted] = container_ports_.emplace(std::make_pair(port, protocol), container);
  if (inserted) return;
  ctx_.Error(at,
             path + ": port " + std::to_string(port) + "/" + ProtocolName(protocol) +
                 " is already used by container '" + it->second + "'",
             "a port once per Pod: its containers share one network");
}

void PodPorts::ClaimListenerPort(const YAML::Node& at, const std::string& path, int port,
                                 const std::string& container) {
  auto [it, inserted] = listener_ports_.emplace(port, container);
  if (inserted) return;
  ctx_.Error(at,
             path + ": load balancer port " + std::to_string(port) +
                 " is already used by container '" + it->second + "'",
             "each load balancer port once per deployment");
}

std::optional<std::string> ReadDnsLabel(const YamlContext& ctx, const YAML::Node& node,
                                        const std::string& path) {
  std::optional<std::string> name = ReadString(ctx, node, path);
  if (!name) return std::nullopt;
  if (std::string why = CheckDns1123Label(*name); !why.empty()) {
    ctx.Error(node, path + ": '" + *name + "' is not a valid name: " + why,
              "a DNS-1123 label: 1-63 lower-case letters, digits and '-', as it becomes a host "
              "and DNS name");
    return std::nullopt;
  }
  return name;
}

std::optional<ImageReference> ReadImage(const YamlContext& ctx, const YAML::Node& node,
                                        const std::string& path) {
  std::optional<std::string> text = ReadString(ctx, node, path);
  if (!text) return std::nullopt;
  Result<ImageReference> image = ParseImageReference(*text);
  if (!image.ok()) {
    ctx.Error(node, path + ": " + image.status().message(),
              "[registry/]repository[:tag][@sha256:digest], oci:PATH[:TAG] or "
              "docker-archive:PATH");
    return std::nullopt;
  }
  // A relative oci: or docker-archive: path is relative to the manifest, as in Compose files.
  ImageReference ref = *image;
  if (ref.transport != ImageTransport::kRegistry && !ref.path.empty() && ref.path.front() != '/') {
    std::filesystem::path dir = std::filesystem::path(ctx.file).parent_path();
    ref.path = (dir / ref.path).lexically_normal().string();
  }
  return ref;
}

}  // namespace i2kit
