// i2kit-host deploy FILE... --dry-run --ami AMI: the CloudFormation template of the manifests,
// printed and nothing called. Creating or updating the stack itself waits for the AWS client
// to be wired in (issue 5); until then the verb checks everything a deployment would need.
#include <filesystem>
#include <memory>
#include <ostream>

#include "cloudformation/stack_template.h"
#include "common/manifest_reader.h"
#include "host-cli/command.h"

namespace i2kit {
namespace {

struct DeployOptions {
  std::vector<std::string> files;
  std::vector<std::string> amis;  // "ami-…" for every Deployment, or "NAME=ami-…"
  std::string stack_name;
  bool dry_run = false;
  StackOptions stack;
};

// Splits the --ami values into the default AMI and per-Deployment ones.
Status ReadImageIds(const std::vector<std::string>& values, StackOptions& stack) {
  for (const std::string& value : values) {
    size_t equals = value.find('=');
    if (equals == std::string::npos) {
      if (!stack.default_image_id.empty()) {
        return Status::Error("--ami " + value + ": the default AMI is already " +
                             stack.default_image_id + "; name the deployment (--ami NAME=" + value +
                             ")");
      }
      stack.default_image_id = value;
    } else {
      stack.image_ids[value.substr(0, equals)] = value.substr(equals + 1);
    }
  }
  return Status::Ok();
}

// CloudFormation's rule for stack names: a letter, then letters, digits and '-', at most 128.
bool IsStackName(const std::string& name) {
  if (name.empty() || name.size() > 128 || !std::isalpha(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

ExitCode Fail(Console& console, const std::string& message) {
  console.err << "i2kit-host deploy: " << message << "\n";
  return ExitCode::kFailure;
}

ExitCode RunDeploy(DeployOptions& options, Console& console) {
  LoadedManifest loaded = LoadManifests(options.files, ReadOptions{});
  for (const Diagnostic& d : loaded.diagnostics.all()) console.err << d.Format() << "\n";
  if (!loaded.ok()) {
    int errors = loaded.diagnostics.error_count();
    console.err << "invalid: " << errors << (errors == 1 ? " error" : " errors") << "\n";
    return ExitCode::kFailure;
  }
  Status images = ReadImageIds(options.amis, options.stack);
  if (!images.ok()) return Fail(console, images.message());
  options.stack.stack_name = options.stack_name.empty()
                                 ? std::filesystem::path(options.files.front()).stem().string()
                                 : options.stack_name;
  if (!IsStackName(options.stack.stack_name)) {
    return Fail(console, "'" + options.stack.stack_name +
                             "' is not a CloudFormation stack name (a letter, then letters, "
                             "digits and '-'); pass --stack-name");
  }
  Result<nlohmann::ordered_json> stack_template = StackTemplate(loaded.manifest, options.stack);
  if (!stack_template.ok()) return Fail(console, stack_template.status().message());
  if (!options.dry_run) {
    return Fail(console,
                "creating the stack needs the AWS client wired into deploy (issue 5); "
                "for now pass --dry-run to print its template");
  }
  console.out << stack_template->dump(2) << "\n";
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupDeploy(CLI::App& sub) {
  auto options = std::make_shared<DeployOptions>();
  sub.add_option("files", options->files, "Manifest files (i2kit or Kubernetes YAML)")->required();
  sub.add_flag("--dry-run", options->dry_run, "Print the CloudFormation template; call nothing");
  sub.add_option("--ami", options->amis,
                 "The Pod VM image (AMI ID) of every deployment, or NAME=AMI for one; repeatable")
      ->allow_extra_args(false);  // one value per --ami, so that files may follow it
  sub.add_option("--domain", options->stack.domain,
                 "Route 53 zone: each load balancer answers as NAME.DOMAIN");
  sub.add_option("--certificate", options->stack.certificate_arn,
                 "ACM certificate ARN for https: and ssl: ports that name none");
  sub.add_option("--instance-type", options->stack.instance_type,
                 "EC2 instance type of deployments whose manifest names none (default: the "
                 "smallest that fits their resource requests)");
  sub.add_option("--stack-name", options->stack_name,
                 "CloudFormation stack name (default: the first file's name without extension)");
  sub.footer("Exit status: 0 template printed, 1 invalid manifest or options, 2 usage error.");
  return [options](Console& console) { return RunDeploy(*options, console); };
}

}  // namespace i2kit
