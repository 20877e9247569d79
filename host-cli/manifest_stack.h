// What deploy and diff share: the manifest files and the AMI options read into the stack's
// name and CloudFormation template, with the manifest's diagnostics printed on the way.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cloudformation/stack_template.h"
#include "host-cli/command.h"

namespace i2kit {

struct ManifestStackOptions {
  std::vector<std::string> files;
  std::vector<std::string> amis;  // "ami-…" for every Deployment, or "NAME=ami-…"
  std::string stack_name;         // default: the first file's name without extension
  StackOptions stack;
};

// Declares the files, --ami, --domain, --certificate, --instance-type and --stack-name.
void AddManifestStackOptions(CLI::App& sub, ManifestStackOptions& options);

struct ManifestStack {
  std::string name;
  nlohmann::ordered_json stack_template;
};

// Loads the manifests (printing their diagnostics to console.err) and renders the template.
// Fails with one message; "" when the diagnostics already said why.
Result<ManifestStack> LoadManifestStack(ManifestStackOptions& options, Console& console);

// CloudFormation's rule for stack names: a letter, then letters, digits and '-', at most 128.
bool IsStackName(const std::string& name);

}  // namespace i2kit
