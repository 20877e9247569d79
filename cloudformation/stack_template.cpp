#include "cloudformation/stack_template.h"

#include <algorithm>

#include "cloudformation/balancer_plan.h"
#include "cloudformation/dns_record.h"
#include "cloudformation/instance_group.h"
#include "cloudformation/instance_sizing.h"
#include "cloudformation/load_balancer.h"
#include "cloudformation/template_document.h"

namespace i2kit {
namespace {

using cfn::BalancerPlan;
using cfn::Json;
using cfn::TemplateDocument;

bool IsImageId(const std::string& id) {
  if (id.rfind("ami-", 0) != 0 || id.size() <= 4) return false;
  return std::all_of(id.begin() + 4, id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<std::string> ImageIdFor(const Deployment& d, const StackOptions& options) {
  auto named = options.image_ids.find(d.name);
  const std::string& id =
      named != options.image_ids.end() ? named->second : options.default_image_id;
  if (id.empty()) {
    return Status::Error("deployment " + d.name +
                         " has no AMI; pass --ami ami-… for every "
                         "deployment or --ami " +
                         d.name + "=ami-… for this one");
  }
  if (!IsImageId(id)) {
    return Status::Error("deployment " + d.name + ": '" + id +
                         "' is not an AMI ID (ami- and hexadecimal digits)");
  }
  return id;
}

Status CheckImageIdNames(const Manifest& manifest, const StackOptions& options) {
  for (const auto& named_image : options.image_ids) {
    const std::string& name = named_image.first;
    bool known = std::any_of(manifest.deployments.begin(), manifest.deployments.end(),
                             [&](const Deployment& d) { return d.name == name; });
    if (!known) {
      return Status::Error("--ami " + name + "=" + named_image.second + ": no deployment " + name);
    }
  }
  return Status::Ok();
}

// FAMILY.SIZE in lower case, as EC2 names them (t3.micro, c6gn.16xlarge, u-6tb1.metal).
bool IsInstanceTypeName(const std::string& name) {
  size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

Result<std::string> InstanceTypeFor(const Deployment& d, const StackOptions& options) {
  if (!d.instance_type.empty()) return d.instance_type;
  if (!options.instance_type.empty()) {
    if (!IsInstanceTypeName(options.instance_type)) {
      return Status::Error("--instance-type '" + options.instance_type +
                           "' is not an EC2 instance type (FAMILY.SIZE such as t3.micro)");
    }
    return options.instance_type;
  }
  return cfn::DefaultInstanceType(d);
}

void AddAccountParameters(const std::vector<BalancerPlan>& plans, const StackOptions& options,
                          TemplateDocument& doc) {
  doc.AddParameter("VpcId", Json{{"Type", "AWS::EC2::VPC::Id"},
                                 {"Description", "The VPC every resource of the stack is in"}});
  doc.AddParameter("InstanceSubnets", Json{{"Type", "List<AWS::EC2::Subnet::Id>"},
                                           {"Description",
                                            "Subnets of the Pod instances and internal load "
                                            "balancers (private; an application load balancer "
                                            "needs two zones)"}});
  bool any_public = std::any_of(plans.begin(), plans.end(),
                                [](const BalancerPlan& p) { return p.internet_facing; });
  if (any_public) {
    doc.AddParameter("PublicSubnets", Json{{"Type", "List<AWS::EC2::Subnet::Id>"},
                                           {"Description",
                                            "Subnets of the internet-facing "
                                            "load balancers (public)"}});
  }
  if (!options.domain.empty()) {
    doc.AddParameter("HostedZoneId",
                     Json{{"Type", "AWS::Route53::HostedZone::Id"},
                          {"Description", "The Route 53 zone of " + options.domain}});
  }
}

// Connection draining lasts as long as the slowest Deployment behind the balancer takes to stop.
int DeregistrationDelay(const BalancerPlan& plan, const Manifest& manifest) {
  int seconds = 0;
  for (const Deployment& d : manifest.deployments) {
    if (std::find(plan.deployments.begin(), plan.deployments.end(), d.name) !=
        plan.deployments.end()) {
      seconds = std::max(seconds, d.termination_grace_period_seconds);
    }
  }
  return std::min(seconds, 3600);  // the attribute's maximum
}

Status AddDeployment(const Deployment& d, const std::vector<BalancerPlan>& plans,
                     const StackOptions& options, TemplateDocument& doc) {
  Result<std::string> image = ImageIdFor(d, options);
  if (!image.ok()) return image.status();
  Result<std::string> instance_type = InstanceTypeFor(d, options);
  if (!instance_type.ok()) return instance_type.status();
  cfn::InstanceGroupSpec spec{&d, cfn::LogicalIdPrefix(d.name), "", *instance_type, {}, ""};
  spec.image_parameter = spec.id_prefix + "ImageId";
  if (auto digest = options.image_digests.find(*image); digest != options.image_digests.end()) {
    spec.image_digest = digest->second;
  }
  doc.AddParameter(spec.image_parameter,
                   Json{{"Type", "AWS::EC2::Image::Id"},
                        {"Default", *image},
                        {"Description", "The Pod VM image of deployment " + d.name}});
  for (const BalancerPlan& plan : plans) {
    if (std::find(plan.deployments.begin(), plan.deployments.end(), d.name) !=
        plan.deployments.end()) {
      spec.balancers.push_back(&plan);
    }
  }
  Status added = cfn::AddInstanceGroup(spec, doc);
  if (!added.ok()) return added;
  return doc.AddOutput(spec.id_prefix + "GroupName",
                       "The Auto Scaling group of deployment " + d.name,
                       cfn::Ref(cfn::GroupId(spec.id_prefix)), "deployment " + d.name);
}

Status AddBalancer(const BalancerPlan& plan, const Manifest& manifest, const StackOptions& options,
                   TemplateDocument& doc) {
  Status added = cfn::AddListeners(plan, DeregistrationDelay(plan, manifest), doc);
  if (!added.ok()) return added;
  std::string description = "Where clients reach " + plan.owner;
  if (options.domain.empty()) {
    return doc.AddOutput(plan.id_prefix + "Endpoint", description,
                         cfn::GetAtt(cfn::LoadBalancerId(plan), "DNSName"), plan.owner);
  }
  added = doc.AddOutput(plan.id_prefix + "Endpoint", description,
                        cfn::RecordName(plan, options.domain), plan.owner);
  if (!added.ok()) return added;
  return cfn::AddAliasRecord(plan, options.domain, doc);
}

// CloudFormation takes at most 1024 bytes of description; long lists of names end in a count.
constexpr size_t kMaxDescriptionNames = 900;

std::string Description(const Manifest& manifest, const StackOptions& options) {
  std::string text = "i2kit stack";
  if (!options.stack_name.empty()) text += " " + options.stack_name;
  text += ": one Auto Scaling group of Pod VMs per deployment (";
  for (size_t i = 0; i < manifest.deployments.size(); ++i) {
    if (text.size() > kMaxDescriptionNames) {
      text += "and " + std::to_string(manifest.deployments.size() - i) + " more";
      break;
    }
    text += manifest.deployments[i].name + (i + 1 < manifest.deployments.size() ? ", " : "");
  }
  return text + ")";
}

}  // namespace

Result<nlohmann::ordered_json> StackTemplate(const Manifest& manifest,
                                             const StackOptions& options) {
  if (manifest.deployments.empty()) {
    return Status::Error("the manifest has no deployment: nothing to deploy");
  }
  if (!options.domain.empty()) {
    Status zone = cfn::CheckZoneName(options.domain);
    if (!zone.ok()) return zone;
  }
  Status names = CheckImageIdNames(manifest, options);
  if (!names.ok()) return names;
  Result<std::vector<BalancerPlan>> plans = cfn::PlanBalancers(manifest, options);
  if (!plans.ok()) return plans.status();

  TemplateDocument doc;
  AddAccountParameters(*plans, options, doc);
  for (const Deployment& d : manifest.deployments) {
    Status added = AddDeployment(d, *plans, options, doc);
    if (!added.ok()) return added;
  }
  for (const cfn::Balancer& balancer : cfn::Balancers(*plans)) {
    const char* subnets = balancer.internet_facing ? "PublicSubnets" : "InstanceSubnets";
    Status added = cfn::AddLoadBalancer(balancer, subnets, doc);
    if (!added.ok()) return added;
  }
  for (const BalancerPlan& plan : *plans) {
    Status added = AddBalancer(plan, manifest, options, doc);
    if (!added.ok()) return added;
  }
  return doc.Render(Description(manifest, options));
}

}  // namespace i2kit
