#include "cloudformation/instance_group.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "cloudformation/instance_role.h"
#include "cloudformation/instance_sizing.h"
#include "cloudformation/load_balancer.h"
#include "cloudformation/persistent_volume.h"
#include "common/pod_vm.h"

namespace i2kit::cfn {
namespace {

Json InstanceSecurityGroup(const InstanceGroupSpec& spec) {
  const Deployment& d = *spec.deployment;
  Json ingress = Json::array();
  std::set<std::tuple<std::string, int, std::string>> seen;  // (protocol, port, source)
  auto allow = [&](const std::string& protocol, int port, const std::string& source_id,
                   const std::string& why) {
    if (!seen.insert({protocol, port, source_id}).second) return;
    ingress.push_back(Json{{"IpProtocol", protocol},
                           {"FromPort", port},
                           {"ToPort", port},
                           {"SourceSecurityGroupId", Ref(source_id)},
                           {"Description", why}});
  };
  for (const BalancerPlan* plan : spec.balancers) {
    std::string source = LoadBalancerSecurityGroupId(*plan);
    for (const BalancedPort& port : plan->ports) {
      allow(port.target_protocol == ListenerProtocol::kUdp ? "udp" : "tcp", port.target_port,
            source, "traffic from the load balancer of " + plan->owner);
    }
    allow("tcp", pod_vm::kAgentPort, source,
          "health checks from the load balancer of " + plan->owner);
  }
  Json group{
      {"GroupDescription", "i2kit deployment " + d.name + ": its load balancers to its Pods"},
      {"VpcId", Ref("VpcId")}};
  // No rule at all when nothing balances it: nothing listens on the instance for anyone else.
  if (!ingress.empty()) group["SecurityGroupIngress"] = ingress;
  return group;
}

// What the agent reads from the instance's user data to report to AWS; the local metadata
// service (host-cli/metadata_serve.cpp) hands it the same keys. signalTimeoutSeconds is the
// CreationPolicy's timeout: the EC2 reporter signals FAILURE, with its reasons, before it.
// targetHealthySeconds is how long after the Pod is ready its balancers' target groups take to
// route to it: SUCCESS waits that long, so that a rolling update never retires an old instance
// before the new one takes traffic. volumes (stateful Deployments only) names each persistent
// volume's EBS volume ID, which the reporter attaches to its own instance at boot.
Json UserData(const InstanceGroupSpec& spec) {
  const Deployment& d = *spec.deployment;
  Json text{{"stack", "${AWS::StackName}"},
            {"deployment", d.name},
            {"resource", GroupId(spec.id_prefix)},
            {"region", "${AWS::Region}"},
            {"metricsNamespace", kMetricsNamespaceSub},
            {"signalTimeoutSeconds", d.progress_deadline_seconds},
            {"targetHealthySeconds", spec.balancers.empty() ? 0 : kSecondsToHealthyTarget}};
  if (Json volumes = VolumesUserData(d, spec.id_prefix); !volumes.empty()) {
    text["volumes"] = volumes;
  }
  return Json{{"Fn::Base64", Sub(text.dump())}};
}

// What each instance, its volumes and its network interfaces carry from launch on, so that a
// user finds and bills what i2kit made: the deployment, the stack and the image it runs. (The
// group's own tags reach instances only, not their volumes and interfaces.)
Json TagSpecifications(const InstanceGroupSpec& spec) {
  Json tags = Json::array({Json{{"Key", "i2kit:deployment"}, {"Value", spec.deployment->name}},
                           Json{{"Key", "i2kit:stack"}, {"Value", Sub("${AWS::StackName}")}}});
  if (!spec.image_digest.empty()) {
    tags.push_back(Json{{"Key", "i2kit:image-digest"}, {"Value", spec.image_digest}});
  }
  Json specifications = Json::array();
  for (const char* type : {"instance", "volume", "network-interface"}) {
    specifications.push_back(Json{{"ResourceType", type}, {"Tags", tags}});
  }
  return specifications;
}

Json LaunchTemplate(const InstanceGroupSpec& spec) {
  Json data{{"ImageId", Ref(spec.image_parameter)},
            {"InstanceType", spec.instance_type},
            {"IamInstanceProfile", Json{{"Arn", GetAtt(InstanceProfileId(spec.id_prefix), "Arn")}}},
            {"SecurityGroupIds",
             Json::array({GetAtt(InstanceSecurityGroupId(spec.id_prefix), "GroupId")})},
            // IMDSv2 only. The hop limit keeps the token from anything routed through the
            // instance, but the containers share the VM's own network stack (no extra hop), so
            // it cannot keep the role's credentials from them: the agent's cgroup filter does
            // (guest-agent/container_network_filter.h).
            {"MetadataOptions", Json{{"HttpEndpoint", "enabled"},
                                     {"HttpTokens", "required"},
                                     {"HttpPutResponseHopLimit", 1}}},
            {"UserData", UserData(spec)},
            {"TagSpecifications", TagSpecifications(spec)}};
  return Json{{"LaunchTemplateData", data}};
}

std::string Seconds(int seconds) {
  return "PT" + std::to_string(seconds) + "S";
}

struct GroupSizes {
  int desired = 0;
  int max = 0;
  int min_in_service = 0;  // during a rolling update
  int batch = 1;           // instances replaced at once
};

// Kubernetes' maxSurge / maxUnavailable in Auto Scaling terms: CloudFormation keeps
// MinInstancesInService up and replaces MaxBatchSize at once, growing the group up to MaxSize
// meanwhile. Recreate stops every old Pod before starting new ones.
GroupSizes SizesFor(const Deployment& d) {
  GroupSizes sizes;
  sizes.desired = d.replicas;
  if (d.strategy.type == StrategyType::kRecreate) {
    sizes.max = d.replicas;
    sizes.min_in_service = 0;
    sizes.batch = std::max(d.replicas, 1);
    return sizes;
  }
  RolloutCounts counts = ResolveRollout(d.strategy, d.replicas);
  sizes.max = d.replicas + counts.max_surge;
  sizes.min_in_service = std::max(d.replicas - counts.max_unavailable, 0);
  sizes.batch = counts.max_surge + counts.max_unavailable;
  return sizes;
}

Json AutoScalingGroup(const InstanceGroupSpec& spec, const GroupSizes& sizes) {
  const Deployment& d = *spec.deployment;
  Json target_groups = Json::array();
  for (const BalancerPlan* plan : spec.balancers) {
    for (const BalancedPort& port : plan->ports)
      target_groups.push_back(Ref(TargetGroupId(*plan, port)));
  }
  Json group{{"AutoScalingGroupName", Sub(GroupNameSub(d))},
             {"LaunchTemplate",
              Json{{"LaunchTemplateId", Ref(LaunchTemplateId(spec.id_prefix))},
                   {"Version", GetAtt(LaunchTemplateId(spec.id_prefix), "LatestVersionNumber")}}},
             {"MinSize", std::to_string(sizes.desired)},
             {"MaxSize", std::to_string(sizes.max)},
             {"DesiredCapacity", std::to_string(sizes.desired)},
             {"VPCZoneIdentifier", Ref("InstanceSubnets")}};
  // An EBS volume lives in one zone and attaches only to an instance there: a Deployment with
  // one is pinned to the subnet of that zone.
  if (!PersistentVolumes(d).empty()) {
    group["VPCZoneIdentifier"] = Json::array({Ref(kVolumeSubnetParameter)});
  }
  if (!target_groups.empty()) {
    group["TargetGroupARNs"] = target_groups;
    // The balancer's readiness checks, not just "the VM runs", decide when to replace one.
    group["HealthCheckType"] = "ELB";
  } else {
    group["HealthCheckType"] = "EC2";
  }
  group["HealthCheckGracePeriod"] = HealthCheckGraceSeconds(d);
  group["Tags"] = Json::array(
      {Json{{"Key", "Name"}, {"Value", Sub(GroupNameSub(d))}, {"PropagateAtLaunch", true}},
       Json{{"Key", "i2kit:deployment"}, {"Value", d.name}, {"PropagateAtLaunch", true}}});
  return group;
}

}  // namespace

std::string GroupId(const std::string& id_prefix) {
  return id_prefix + "Group";
}
std::string LaunchTemplateId(const std::string& id_prefix) {
  return id_prefix + "LaunchTemplate";
}
std::string InstanceSecurityGroupId(const std::string& id_prefix) {
  return id_prefix + "InstanceSecurityGroup";
}

Status AddInstanceGroup(const InstanceGroupSpec& spec, TemplateDocument& doc) {
  const Deployment& d = *spec.deployment;
  std::string owner = "deployment " + d.name;
  Status added = doc.AddResource(InstanceSecurityGroupId(spec.id_prefix), "AWS::EC2::SecurityGroup",
                                 InstanceSecurityGroup(spec), owner);
  if (added.ok()) added = AddPersistentVolumes(d, spec.id_prefix, doc);
  if (added.ok()) added = AddInstanceRole(d, spec.id_prefix, doc);
  if (added.ok()) {
    added = doc.AddResource(LaunchTemplateId(spec.id_prefix), "AWS::EC2::LaunchTemplate",
                            LaunchTemplate(spec), owner);
  }
  GroupSizes sizes = SizesFor(d);
  std::string group_id = GroupId(spec.id_prefix);
  if (added.ok()) {
    added = doc.AddResource(group_id, "AWS::AutoScaling::AutoScalingGroup",
                            AutoScalingGroup(spec, sizes), owner);
  }
  if (!added.ok()) return added;

  // Instances register with target groups only once their listeners exist, so that the first
  // health checks already see traffic paths.
  Json listeners = Json::array();
  for (const BalancerPlan* plan : spec.balancers) {
    for (const BalancedPort& port : plan->ports) listeners.push_back(ListenerId(*plan, port));
  }
  if (!listeners.empty()) doc.SetAttribute(group_id, "DependsOn", listeners);
  // A group of zero replicas has nothing to signal and nothing to roll.
  if (d.replicas == 0) return Status::Ok();
  std::string deadline = Seconds(d.progress_deadline_seconds);
  doc.SetAttribute(group_id, "CreationPolicy",
                   Json{{"ResourceSignal", Json{{"Count", d.replicas}, {"Timeout", deadline}}}});
  doc.SetAttribute(
      group_id, "UpdatePolicy",
      Json{{"AutoScalingRollingUpdate",
            Json{{"MinInstancesInService", sizes.min_in_service},
                 {"MaxBatchSize", sizes.batch},
                 {"PauseTime", Seconds(std::min(d.progress_deadline_seconds, kMaxPauseSeconds))},
                 {"WaitOnResourceSignals", true},
                 // Nothing else may move instances while an update replaces them (AWS's
                 // advice): in particular the balancer's health checks of a new instance
                 // still starting must not make the group replace it mid-update.
                 {"SuspendProcesses", Json::array({"HealthCheck", "ReplaceUnhealthy", "AZRebalance",
                                                   "AlarmNotification", "ScheduledActions"})}}}});
  return Status::Ok();
}

}  // namespace i2kit::cfn
