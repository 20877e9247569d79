#include "host-cli/manifest_stack.h"

#include <filesystem>
#include <ostream>

#include "aws-deploy/change_set_request.h"
#include "cloudformation/instance_role.h"
#include "common/manifest_reader.h"
#include "common/pod_secrets.h"

namespace i2kit {
namespace {

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

}  // namespace

void AddManifestStackOptions(CLI::App& sub, ManifestStackOptions& options) {
  sub.add_option("files", options.files, "Manifest files (i2kit or Kubernetes YAML)")->required();
  sub.add_option("--ami", options.amis,
                 "The Pod VM image (AMI ID) of every deployment, or NAME=AMI for one; repeatable "
                 "(deploy pushes the built disk of a deployment given none)")
      ->allow_extra_args(false);  // one value per --ami, so that files may follow it
  sub.add_option("--domain", options.stack.domain,
                 "Route 53 zone: each load balancer answers as NAME.DOMAIN");
  sub.add_option("--certificate", options.stack.certificate_arn,
                 "ACM certificate ARN for https: and ssl: ports that name none");
  sub.add_option("--instance-type", options.stack.instance_type,
                 "EC2 instance type of deployments whose manifest names none (default: the "
                 "smallest that fits their resource requests)");
  sub.add_option("--stack-name", options.stack_name,
                 "CloudFormation stack name (default: the first file's name without extension)");
  sub.add_option("--parameter", options.parameters,
                 "KEY=VALUE for a template parameter (VpcId, InstanceSubnets, PublicSubnets, "
                 "HostedZoneId); needed at creation, kept on updates; repeatable")
      ->allow_extra_args(false);
}

bool IsStackName(const std::string& name) {
  if (name.empty() || name.size() > 128 || !std::isalpha(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

Result<StackChange> LoadStackChange(ManifestStackOptions& options, Console& console) {
  LoadedManifest loaded = LoadManifests(options.files, ReadOptions{});
  for (const Diagnostic& d : loaded.diagnostics.all()) console.err << d.Format() << "\n";
  if (!loaded.ok()) {
    int errors = loaded.diagnostics.error_count();
    console.err << "invalid: " << errors << (errors == 1 ? " error" : " errors") << "\n";
    return Status::Error("");  // said above, as validate says it
  }
  Status images = ReadImageIds(options.amis, options.stack);
  if (!images.ok()) return images;
  if (options.images_for && options.stack.default_image_id.empty()) {
    std::vector<Deployment> missing;
    for (const Deployment& d : loaded.manifest.deployments) {
      if (!options.stack.image_ids.contains(d.name)) missing.push_back(d);
    }
    if (!missing.empty()) {
      Result<std::map<std::string, std::string>> found =
          options.images_for(missing, loaded.manifest);
      if (!found.ok()) return found.status();
      options.stack.image_ids.insert(found->begin(), found->end());
    }
  }
  StackChange result;
  result.stack_name = options.stack_name.empty()
                          ? std::filesystem::path(options.files.front()).stem().string()
                          : options.stack_name;
  options.stack.stack_name = result.stack_name;
  if (!IsStackName(result.stack_name)) {
    return Status::Error("'" + result.stack_name +
                         "' is not a CloudFormation stack name (a letter, then letters, digits "
                         "and '-'); pass --stack-name");
  }
  Result<nlohmann::ordered_json> stack_template = StackTemplate(loaded.manifest, options.stack);
  if (!stack_template.ok()) return stack_template.status();
  result.stack_template = std::move(stack_template).value();
  for (const Deployment& d : loaded.manifest.deployments) result.deployments.push_back(d.name);
  Result<std::map<std::string, std::string>> parameters =
      ParseParameterAssignments(options.parameters);
  if (!parameters.ok()) return parameters.status();
  result.parameter_values = std::move(parameters).value();
  // Each deployment's Secrets, as the value of its NoEcho parameter (cfn/instance_role.h): sent
  // on every deploy, never UsePreviousValue, so a changed Secret reaches the stack.
  for (const Deployment& d : loaded.manifest.deployments) {
    if (ReferencedSecrets(d).empty()) continue;
    std::string json = SecretsToJson(SecretsFor(d, loaded.manifest.secrets));
    // CloudFormation's limit on a parameter's value.
    if (json.size() > 4096) {
      return Status::Error("deployment " + d.name + ": its Secrets take " +
                           std::to_string(json.size()) +
                           " bytes in base64, past the 4096 a CloudFormation parameter holds");
    }
    result.parameter_values[cfn::SecretsParameterId(cfn::LogicalIdPrefix(d.name))] = json;
  }
  return result;
}

}  // namespace i2kit
