#include "common/i2kit_format_reader.h"

#include <algorithm>
#include <charconv>

#include "common/names.h"
#include "common/pod_checks.h"
#include "common/quantity.h"
#include "common/shell_words.h"

namespace i2kit {
namespace {

constexpr std::string_view kPortForm =
    "a port (80) or LBPROTO:LBPORT:PROTO:PORT such as https:443:http:80; protocols http, https, "
    "tcp, ssl, udp";

std::optional<ListenerProtocol> ListenerProtocolFromName(std::string_view s) {
  if (s == "http") return ListenerProtocol::kHttp;
  if (s == "https") return ListenerProtocol::kHttps;
  if (s == "tcp") return ListenerProtocol::kTcp;
  if (s == "ssl") return ListenerProtocol::kSsl;
  if (s == "udp") return ListenerProtocol::kUdp;
  return std::nullopt;
}

std::optional<int> ParsePortNumber(std::string_view s) {
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < 1 || value > 65535) {
    return std::nullopt;
  }
  return value;
}

// Which container protocols a load balancer protocol can forward to (TLS may end at the
// balancer or pass through; plain protocols pass as they are).
bool CanForward(ListenerProtocol from, ListenerProtocol to) {
  switch (from) {
    case ListenerProtocol::kHttp:
      return to == ListenerProtocol::kHttp;
    case ListenerProtocol::kHttps:
      return to == ListenerProtocol::kHttp || to == ListenerProtocol::kHttps;
    case ListenerProtocol::kTcp:
      return to == ListenerProtocol::kTcp;
    case ListenerProtocol::kSsl:
      return to == ListenerProtocol::kTcp || to == ListenerProtocol::kSsl;
    case ListenerProtocol::kUdp:
      return to == ListenerProtocol::kUdp;
  }
  return false;
}

constexpr std::string_view kVolumeForm =
    "NAME:SIZE:PATH such as data:1Gi:/var/lib/data, a disk that outlives the Pod's VMs";

// A volume of the short format, NAME:SIZE:PATH: a persistent disk named NAME (a DNS label, so
// that it can name an image file and an EBS volume's tag), of SIZE bytes (a Kubernetes
// quantity), mounted at the absolute PATH.
Result<std::pair<Volume, VolumeMount>> ParseI2kitVolume(std::string_view text) {
  std::string quoted = "'" + std::string(text) + "'";
  size_t first = text.find(':');
  size_t second = first == std::string_view::npos ? first : text.find(':', first + 1);
  if (second == std::string_view::npos) return Status::Error(quoted + " is not NAME:SIZE:PATH");
  std::string name(text.substr(0, first));
  if (std::string why = CheckDns1123Label(name); !why.empty())
    return Status::Error(quoted + ": volume name '" + name + "' " + why);
  Result<int64_t> size = ParseMemoryBytes(text.substr(first + 1, second - first - 1));
  if (!size.ok()) return Status::Error(quoted + ": size: " + size.status().message());
  // 1 MiB is the smallest ext4 that holds a journal; EBS sizes in GiB round it up on AWS.
  if (*size < (int64_t{1} << 20)) return Status::Error(quoted + ": size is below 1Mi");
  std::string path(text.substr(second + 1));
  if (path.empty() || path[0] != '/' || path == "/")
    return Status::Error(quoted + ": mount path '" + path + "' is not an absolute path below /");
  Volume v;
  v.name = name;
  v.type = VolumeType::kPersistent;
  v.size_bytes = *size;
  v.claim_name = name;
  VolumeMount mount;
  mount.name = name;
  mount.mount_path = path;
  return std::make_pair(v, mount);
}

// Adds the container's `volumes:` to the deployment's; a name two containers use is one disk
// they share, so its sizes must agree.
void ReadVolumes(const YamlContext& ctx, const YAML::Node& node, const std::string& path,
                 Container& c, std::vector<Volume>& volumes) {
  std::optional<std::vector<std::string>> entries = ReadStringList(ctx, node, path);
  if (!entries) return;
  for (size_t i = 0; i < entries->size(); ++i) {
    std::string item_path = path + "[" + std::to_string(i) + "]";
    Result<std::pair<Volume, VolumeMount>> parsed = ParseI2kitVolume((*entries)[i]);
    if (!parsed.ok()) {
      ctx.Error(node[i], item_path + ": " + parsed.status().message(), std::string(kVolumeForm));
      continue;
    }
    auto& [volume, mount] = *parsed;
    // Clang 14 (the fuzz build) cannot capture a structured binding: capture the name.
    auto same = std::find_if(volumes.begin(), volumes.end(),
                             [&name = volume.name](const Volume& v) { return v.name == name; });
    if (same != volumes.end() && same->size_bytes != volume.size_bytes) {
      ctx.Error(node[i], item_path + ": volume '" + volume.name + "' has another size elsewhere",
                "one size per volume name");
      continue;
    }
    if (same == volumes.end()) volumes.push_back(volume);
    c.volume_mounts.push_back(mount);
  }
}

std::optional<std::vector<std::string>> ReadCommand(const YamlContext& ctx, const YAML::Node& node,
                                                    const std::string& path) {
  if (node.IsSequence()) return ReadStringList(ctx, node, path);
  std::optional<std::string> line = ReadString(ctx, node, path);
  if (!line) return std::nullopt;
  Result<std::vector<std::string>> words = SplitShellWords(*line);
  if (!words.ok()) {
    ctx.Error(node, path + ": " + words.status().message(), "a command line with balanced quotes");
    return std::nullopt;
  }
  if (std::string op = FindUnquotedShellOperator(*line); !op.empty()) {
    ctx.Warning(node,
                path + ": '" + op +
                    "' is passed to the program literally, not interpreted "
                    "by a shell",
                "command: [sh, -c, '...'] to run a shell command");
  }
  return *words;
}

std::optional<std::vector<EnvVar>> ReadEnvironment(const YamlContext& ctx, const YAML::Node& node,
                                                   const std::string& path) {
  std::optional<std::vector<std::string>> entries = ReadStringList(ctx, node, path);
  if (!entries) return std::nullopt;
  std::vector<EnvVar> env;
  bool ok = true;
  for (size_t i = 0; i < entries->size(); ++i) {
    const std::string& entry = (*entries)[i];
    size_t eq = entry.find('=');
    std::string name = entry.substr(0, eq);
    std::string why = eq == std::string::npos ? "it has no '='" : CheckEnvVarName(name);
    if (!why.empty()) {
      ctx.Error(node[i], path + "[" + std::to_string(i) + "]: '" + entry + "': " + why,
                "NAME=VALUE");
      ok = false;
      continue;
    }
    env.push_back(LiteralEnvVar(name, entry.substr(eq + 1)));
  }
  if (!ok) return std::nullopt;
  return env;
}

std::optional<Container> ReadContainer(const YamlContext& ctx, const YAML::Node& key,
                                       const YAML::Node& node, const std::string& path,
                                       PodPorts& pod_ports, std::vector<Volume>& volumes) {
  Container c;
  c.location = ctx.Where(key);
  std::optional<std::string> name = ReadDnsLabel(ctx, key, path);
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return std::nullopt;
  size_t errors_before = static_cast<size_t>(ctx.diagnostics->error_count());
  if (name) c.name = *name;
  if (auto image = fields.Require("image", "an image reference such as nginx:1.7.9")) {
    if (auto parsed = ReadImage(ctx, *image, fields.Child("image"))) c.image = *parsed;
  }
  if (auto command = fields.Get("command")) {
    if (auto words = ReadCommand(ctx, *command, fields.Child("command"))) c.command = *words;
  }
  if (auto environment = fields.Get("environment")) {
    if (auto env = ReadEnvironment(ctx, *environment, fields.Child("environment"))) c.env = *env;
  }
  if (auto ports = fields.Get("ports")) {
    std::string ports_path = fields.Child("ports");
    if (!ports->IsSequence()) {
      ctx.Error(*ports, ports_path + ": got " + std::string(YamlKindName(*ports)),
                "a list of ports");
    } else {
      for (size_t i = 0; i < ports->size(); ++i) {
        std::string item_path = ports_path + "[" + std::to_string(i) + "]";
        YAML::Node item = (*ports)[i];
        std::optional<std::string> text = ReadString(ctx, item, item_path);
        if (!text) continue;
        Result<ContainerPort> port = ParseI2kitPort(*text);
        if (!port.ok()) {
          ctx.Error(item, item_path + ": " + port.status().message(), std::string(kPortForm));
          continue;
        }
        pod_ports.ClaimContainerPort(item, item_path, port->container_port, port->protocol, c.name);
        pod_ports.ClaimListenerPort(item, item_path, port->listener->port, c.name);
        c.ports.push_back(*port);
      }
    }
  }
  if (auto entries = fields.Get("volumes")) {
    ReadVolumes(ctx, *entries, fields.Child("volumes"), c, volumes);
  }
  fields.WarnUnknown();
  if (!name || static_cast<size_t>(ctx.diagnostics->error_count()) != errors_before)
    return std::nullopt;
  return c;
}

}  // namespace

Result<ContainerPort> ParseI2kitPort(std::string_view text) {
  ContainerPort port;
  Listener listener;
  if (auto bare = ParsePortNumber(text)) {
    port.container_port = *bare;
    listener.port = *bare;
    port.listener = listener;
    return port;
  }
  // LBPROTO:LBPORT:PROTO:PORT, then optionally a certificate ARN (which has colons itself).
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (parts.size() < 4) {
    size_t colon = text.find(':', start);
    if (colon == std::string_view::npos) {
      parts.push_back(text.substr(start));
      start = text.size() + 1;
      break;
    }
    parts.push_back(text.substr(start, colon - start));
    start = colon + 1;
  }
  std::string quoted = "'" + std::string(text) + "'";
  if (parts.size() != 4)
    return Status::Error(quoted + " has " + std::to_string(parts.size()) + " parts, not 4");
  auto lb_protocol = ListenerProtocolFromName(parts[0]);
  auto lb_port = ParsePortNumber(parts[1]);
  auto protocol = ListenerProtocolFromName(parts[2]);
  auto container_port = ParsePortNumber(parts[3]);
  if (!lb_protocol)
    return Status::Error(quoted + ": unknown load balancer protocol '" + std::string(parts[0]) +
                         "'");
  if (!protocol)
    return Status::Error(quoted + ": unknown container protocol '" + std::string(parts[2]) + "'");
  if (!lb_port)
    return Status::Error(quoted + ": load balancer port '" + std::string(parts[1]) +
                         "' is not in 1-65535");
  if (!container_port)
    return Status::Error(quoted + ": container port '" + std::string(parts[3]) +
                         "' is not in 1-65535");
  if (!CanForward(*lb_protocol, *protocol)) {
    return Status::Error(quoted + ": a " + ListenerProtocolName(*lb_protocol) +
                         " load balancer cannot forward to " + ListenerProtocolName(*protocol));
  }
  listener.protocol = *lb_protocol;
  listener.port = *lb_port;
  listener.instance_protocol = *protocol;
  if (start <= text.size()) {
    listener.certificate = std::string(text.substr(start));
    if (*lb_protocol != ListenerProtocol::kHttps && *lb_protocol != ListenerProtocol::kSsl) {
      return Status::Error(quoted + ": a certificate only applies to https and ssl listeners");
    }
    if (listener.certificate.empty())
      return Status::Error(quoted + ": the certificate after the last ':' is empty");
  }
  port.container_port = *container_port;
  port.protocol = *protocol == ListenerProtocol::kUdp ? Protocol::kUdp : Protocol::kTcp;
  port.listener = listener;
  return port;
}

std::optional<Deployment> ReadI2kitDeployment(const YamlContext& ctx, const YAML::Node& doc) {
  YamlFields fields(ctx, doc, "");
  if (!fields.is_mapping()) return std::nullopt;
  int errors_before = ctx.diagnostics->error_count();
  Deployment d;
  d.format = ManifestFormat::kI2kit;
  d.location = ctx.Where(doc);
  if (auto name = fields.Require("name", "the deployment's name")) {
    if (auto label = ReadDnsLabel(ctx, *name, "name")) d.name = *label;
  }
  d.replicas = static_cast<int>(fields.Int("replicas", 0, 1000).value_or(1));
  d.is_public = fields.Bool("public").value_or(false);
  d.stateful = fields.Bool("stateful").value_or(false);
  if (auto type = fields.Get("instance_type")) {
    if (auto text = ReadString(ctx, *type, "instance_type")) {
      size_t dot = text->find('.');
      bool well_formed =
          dot != std::string::npos && dot > 0 && dot + 1 < text->size() &&
          text->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") == std::string::npos;
      if (well_formed)
        d.instance_type = *text;
      else
        ctx.Error(*type, "instance_type: '" + *text + "' is not an EC2 instance type",
                  "FAMILY.SIZE such as t3.micro");
    }
  }
  if (d.stateful && d.replicas > 1) {
    ctx.Error(
        *fields.Get("replicas"),
        "replicas: a stateful deployment runs one instance, not " + std::to_string(d.replicas),
        "replicas: 0 or 1 with stateful: true");
  }
  // The short format has no labels; this one lets Kubernetes Services select it by name.
  d.labels = {{"app", d.name}};
  d.selector = d.labels;
  if (auto containers = fields.Require("containers", "a mapping of container name to container")) {
    PodPorts pod_ports(ctx);
    if (!containers->IsMap()) {
      ctx.Error(*containers, "containers: got " + std::string(YamlKindName(*containers)),
                "a mapping of container name to {image, command, environment, ports}");
    } else {
      YamlFields container_fields(ctx, *containers, "containers");  // reports duplicate names
      for (auto it = containers->begin(); it != containers->end(); ++it) {
        if (!it->first.IsScalar()) continue;
        std::string path = "containers." + it->first.Scalar();
        if (auto c = ReadContainer(ctx, it->first, it->second, path, pod_ports, d.volumes)) {
          d.containers.push_back(std::move(*c));
        }
      }
      if (containers->size() == 0)
        ctx.Error(*containers, "containers: is empty", "at least one container");
    }
  }
  if (!d.volumes.empty()) {
    // A disk is attached to one VM at a time: a deployment with one is stateful, and is
    // replaced by stopping the old VM before the new one starts.
    if (d.replicas > 1 && !d.stateful) {  // else the stateful check above said it
      ctx.Error(*fields.Get("replicas"),
                "replicas: " + std::to_string(d.replicas) +
                    " VMs cannot share a persistent volume: a disk is attached to one VM at a time",
                "replicas: 0 or 1 with volumes");
    }
    d.stateful = true;
    d.strategy.type = StrategyType::kRecreate;
  }
  fields.WarnUnknown();
  if (ctx.diagnostics->error_count() != errors_before) return std::nullopt;
  return d;
}

}  // namespace i2kit
