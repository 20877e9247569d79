// Checks a CloudFormation template against the official resource specification, the way
// CloudFormation's own validation would reject it before creating anything: resource types,
// property names and types, required properties, and what Ref, Fn::GetAtt and Fn::Sub name.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace i2kit {

// The specification's ResourceTypes and PropertyTypes (cfn-spec-subset.json).
struct CfnSpec {
  nlohmann::json document;
};

// Reads the specification JSON at `path`; an unreadable or malformed file is an error naming it.
Result<CfnSpec> LoadCfnSpec(const std::string& path);

// Every problem in `template_json`, one line each naming the resource (or output) and the
// property path, e.g. "Resources.WebGroup.Properties.MinSize: expected a string". Empty means
// the template passes.
std::vector<std::string> CheckTemplate(const CfnSpec& spec,
                                       const nlohmann::ordered_json& template_json);

}  // namespace i2kit
