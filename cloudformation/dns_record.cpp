#include "cloudformation/dns_record.h"

#include "common/names.h"

namespace i2kit::cfn {

std::string RecordName(const BalancerPlan& plan, const std::string& zone) {
  return plan.name + "." + zone;
}

Status AddAliasRecord(const BalancerPlan& plan, const std::string& zone, TemplateDocument& doc) {
  std::string balancer = LoadBalancerId(plan);
  Json record{{"HostedZoneId", Ref("HostedZoneId")},
              {"Name", RecordName(plan, zone) + "."},
              {"Type", "A"},
              {"AliasTarget", Json{{"DNSName", GetAtt(balancer, "DNSName")},
                                   {"HostedZoneId", GetAtt(balancer, "CanonicalHostedZoneID")},
                                   // A balancer with no healthy target answers no one.
                                   {"EvaluateTargetHealth", true}}}};
  return doc.AddResource(plan.id_prefix + "Record", "AWS::Route53::RecordSet", record, plan.owner);
}

Status CheckZoneName(const std::string& zone) {
  if (zone.empty() || zone.size() > 200) {
    return Status::Error("--domain '" + zone + "': expected a DNS name of 1-200 characters");
  }
  size_t start = 0;
  while (start <= zone.size()) {
    size_t dot = zone.find('.', start);
    std::string label =
        zone.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    std::string problem = CheckDns1123Label(label);
    if (!problem.empty()) {
      return Status::Error("--domain '" + zone + "': label '" + label + "': " + problem);
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return Status::Ok();
}

}  // namespace i2kit::cfn
