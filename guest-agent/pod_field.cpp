#include "guest-agent/pod_field.h"

#include <cstdio>

namespace i2kit {
namespace {

// Go's strconv.Quote for the bytes that occur in labels: printable ASCII as is, the rest
// escaped.
std::string GoQuote(const std::string& value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

const Container* FindContainer(const Deployment& pod, const std::string& name) {
  for (const auto* list : {&pod.containers, &pod.init_containers}) {
    for (const Container& c : *list) {
      if (c.name == name) return &c;
    }
  }
  return nullptr;
}

int64_t CeilDiv(int64_t value, int64_t divisor) {
  if (value <= 0) return 0;
  return (value + divisor - 1) / divisor;
}

Result<std::string> ResolveResource(const PodField& field, const PodFacts& facts,
                                    const Deployment& pod, const std::string& asking) {
  const std::string& name = field.container.empty() ? asking : field.container;
  const Container* c = FindContainer(pod, name);
  if (c == nullptr) {
    return Status::Error("resourceFieldRef " + field.resource + ": no container " + name);
  }
  if (field.divisor <= 0) {
    return Status::Error("resourceFieldRef " + field.resource + ": divisor must be positive");
  }
  const ResourceList& limits = c->resources.limits;
  const ResourceList& requests = c->resources.requests;
  int64_t value = 0;
  if (field.resource == "limits.cpu") {
    value = limits.cpu_millis.value_or(facts.vm_cpu_millis);
  } else if (field.resource == "limits.memory") {
    value = limits.memory_bytes.value_or(facts.vm_memory_bytes);
  } else if (field.resource == "requests.cpu") {
    value = requests.cpu_millis.value_or(limits.cpu_millis.value_or(0));
  } else if (field.resource == "requests.memory") {
    value = requests.memory_bytes.value_or(limits.memory_bytes.value_or(0));
  } else {
    return Status::Error("resourceFieldRef: unsupported resource '" + field.resource + "'");
  }
  return std::to_string(CeilDiv(value, field.divisor));
}

}  // namespace

std::string FormatDownwardMap(const std::map<std::string, std::string>& values) {
  std::string out;
  for (const auto& [key, value] : values) {
    if (!out.empty()) out += '\n';
    out += key + "=" + GoQuote(value);
  }
  return out;
}

Result<std::string> ResolvePodField(const PodField& field, const PodFacts& facts,
                                    const Deployment& pod, const std::string& asking) {
  if (!field.resource.empty()) return ResolveResource(field, facts, pod, asking);
  const std::string& path = field.field_path;
  if (path == "metadata.name") return facts.name;
  if (path == "metadata.namespace") return facts.namespace_name;
  if (path == "metadata.labels") return FormatDownwardMap(facts.labels);
  if (path == "status.podIP") return facts.pod_ip;
  const std::string prefix = "metadata.labels['";
  if (path.starts_with(prefix) && path.ends_with("']") && path.size() > prefix.size() + 2) {
    std::string key = path.substr(prefix.size(), path.size() - prefix.size() - 2);
    auto found = facts.labels.find(key);
    // Kubernetes gives "" for a label the Pod does not have.
    return found == facts.labels.end() ? std::string() : found->second;
  }
  return Status::Error("fieldRef: unsupported fieldPath '" + path + "'");
}

}  // namespace i2kit
