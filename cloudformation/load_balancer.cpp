#include "cloudformation/load_balancer.h"

#include "common/pod_vm.h"

namespace i2kit::cfn {
namespace {

// A listener's and its target's IP protocol for security group rules.
const char* IpProtocol(ListenerProtocol p) {
  return p == ListenerProtocol::kUdp ? "udp" : "tcp";
}

Json BalancerSecurityGroup(const Balancer& balancer) {
  Json ingress = Json::array();
  for (const BalancerPlan* plan : balancer.plans) {
    for (const BalancedPort& port : plan->ports) {
      // Open to every address: an internal balancer has only private addresses, so only the
      // VPC (and what is peered with it) can reach it at all.
      ingress.push_back(Json{{"IpProtocol", IpProtocol(port.protocol)},
                             {"FromPort", port.port},
                             {"ToPort", port.port},
                             {"CidrIp", "0.0.0.0/0"},
                             {"Description", "clients of " + plan->owner}});
    }
  }
  return Json{{"GroupDescription", "i2kit " + balancer.owner + ": clients to its load balancer"},
              {"VpcId", Ref("VpcId")},
              {"SecurityGroupIngress", ingress}};
}

Json LoadBalancer(const Balancer& balancer, const std::string& subnets_parameter) {
  return Json{{"Type", balancer.kind == BalancerKind::kApplication ? "application" : "network"},
              {"Scheme", balancer.internet_facing ? "internet-facing" : "internal"},
              {"Subnets", Ref(subnets_parameter)},
              {"SecurityGroups", Json::array({Ref(LoadBalancerSecurityGroupId(balancer))})}};
}

Json TargetGroup(const BalancerPlan& plan, const BalancedPort& port, int deregistration_delay) {
  return Json{
      {"Protocol", ElbProtocolName(plan.kind, port.target_protocol)},
      {"Port", port.target_port},
      {"VpcId", Ref("VpcId")},
      {"TargetType", "instance"},
      // A target is in service when the Pod is ready, as the agent tells, whatever the port.
      {"HealthCheckProtocol", "HTTP"},
      {"HealthCheckPort", std::to_string(pod_vm::kAgentPort)},
      {"HealthCheckPath", "/readyz"},
      {"HealthCheckIntervalSeconds", kHealthCheckIntervalSeconds},
      {"HealthyThresholdCount", kHealthyThresholdCount},
      {"UnhealthyThresholdCount", 2},
      {"TargetGroupAttributes",
       Json::array({Json{{"Key", "deregistration_delay.timeout_seconds"},
                         {"Value", std::to_string(deregistration_delay)}}})}};
}

Json Listener(const BalancerPlan& plan, const BalancedPort& port) {
  Json listener{
      {"LoadBalancerArn", Ref(LoadBalancerId(plan))},
      {"Port", port.port},
      {"Protocol", ElbProtocolName(plan.kind, port.protocol)},
      {"DefaultActions", Json::array({Json{{"Type", "forward"},
                                           {"TargetGroupArn", Ref(TargetGroupId(plan, port))}}})}};
  if (IsTlsProtocol(port.protocol)) {
    listener["Certificates"] = Json::array({Json{{"CertificateArn", port.certificate_arn}}});
    listener["SslPolicy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06";
  }
  return listener;
}

}  // namespace

Status AddLoadBalancer(const Balancer& balancer, const std::string& subnets_parameter,
                       TemplateDocument& doc) {
  Status added = doc.AddResource(LoadBalancerSecurityGroupId(balancer), "AWS::EC2::SecurityGroup",
                                 BalancerSecurityGroup(balancer), balancer.owner);
  if (!added.ok()) return added;
  return doc.AddResource(LoadBalancerId(balancer), "AWS::ElasticLoadBalancingV2::LoadBalancer",
                         LoadBalancer(balancer, subnets_parameter), balancer.owner);
}

Status AddListeners(const BalancerPlan& plan, int deregistration_delay_seconds,
                    TemplateDocument& doc) {
  Status added = Status::Ok();
  for (const BalancedPort& port : plan.ports) {
    if (!added.ok()) break;
    added = doc.AddResource(TargetGroupId(plan, port), "AWS::ElasticLoadBalancingV2::TargetGroup",
                            TargetGroup(plan, port, deregistration_delay_seconds), plan.owner);
    if (added.ok()) {
      added = doc.AddResource(ListenerId(plan, port), "AWS::ElasticLoadBalancingV2::Listener",
                              Listener(plan, port), plan.owner);
    }
  }
  return added;
}

}  // namespace i2kit::cfn
