// The i2kit short format of the paper and of the original tool:
//
//   name: nginx-deployment
//   replicas: 3
//   containers:
//     nginx:
//       image: nginx:1.7.9
//       ports: [80, "https:443:http:80"]
#pragma once

#include <optional>

#include "common/pod_model.h"
#include "common/yaml_fields.h"

namespace i2kit {

// Reads one short-format document; nullopt when it has errors (all reported).
std::optional<Deployment> ReadI2kitDeployment(const YamlContext& ctx, const YAML::Node& doc);

// Parses one `ports` entry: a bare port ("80") or LBPROTO:LBPORT:PROTO:PORT[:CERTIFICATE_ARN].
Result<ContainerPort> ParseI2kitPort(std::string_view text);

}  // namespace i2kit
