// What deploy and diff share: the manifest files, the AMI options and the --parameter values
// read into the stack change to make, with the manifest's diagnostics printed on the way.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws-deploy/stack_rollout.h"
#include "cloudformation/stack_template.h"
#include "host-cli/command.h"

namespace i2kit {

struct ManifestStackOptions {
  std::vector<std::string> files;
  std::vector<std::string> amis;        // "ami-…" for every Deployment, or "NAME=ami-…"
  std::string stack_name;               // default: the first file's name without extension
  std::vector<std::string> parameters;  // --parameter KEY=VALUE
  StackOptions stack;
  // Given the deployments no --ami names (when there is no default --ami) and the manifest
  // (its ConfigMaps are built into their images), returns their AMIs by name: deploy pushes their
  // disks. Unset, such deployments are an error of the template.
  std::function<Result<std::map<std::string, std::string>>(const std::vector<Deployment>&,
                                                           const Manifest&)>
      images_for;
};

// Declares the files, --ami, --domain, --certificate, --instance-type, --stack-name and
// --parameter.
void AddManifestStackOptions(CLI::App& sub, ManifestStackOptions& options);

// Loads the manifests (printing their diagnostics to console.err), renders the template and
// reads the --parameter values. Fails with one message; "" when the diagnostics already said
// why.
Result<StackChange> LoadStackChange(ManifestStackOptions& options, Console& console);

// CloudFormation's rule for stack names: a letter, then letters, digits and '-', at most 128.
bool IsStackName(const std::string& name);

}  // namespace i2kit
