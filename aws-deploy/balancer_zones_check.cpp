#include "aws-deploy/balancer_zones_check.h"

#include <set>

namespace i2kit {
namespace {

std::string Joined(const std::set<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// The zones of `ids` (those `subnets` knows).
std::set<std::string> Zones(const std::vector<std::string>& ids,
                            const std::map<std::string, aws::Subnet>& subnets) {
  std::set<std::string> zones;
  for (const std::string& id : ids) {
    if (auto found = subnets.find(id); found != subnets.end()) zones.insert(found->second.zone);
  }
  return zones;
}

}  // namespace

std::vector<std::string> BalancerZoneProblems(const PreflightPlan& plan,
                                              const std::map<std::string, aws::Subnet>& subnets) {
  std::vector<std::string> problems;
  std::set<std::string> named;  // each subnet's VPC is checked once
  auto check_vpc = [&](const std::string& parameter, const std::vector<std::string>& ids) {
    for (const std::string& id : ids) {
      auto found = subnets.find(id);
      if (found == subnets.end() || plan.vpc_id.empty() || !named.insert(id).second) continue;
      if (found->second.vpc_id != plan.vpc_id) {
        problems.push_back(parameter + ": subnet " + id + " is in " + found->second.vpc_id +
                           ", not in the stack's VPC " + plan.vpc_id + "; pass subnets of one VPC");
      }
    }
  };
  check_vpc("InstanceSubnets", plan.instance_subnets);
  std::set<std::string> instance_zones = Zones(plan.instance_subnets, subnets);
  for (const PlannedBalancer& b : plan.balancers) {
    if (b.subnets.empty()) continue;
    check_vpc(b.subnets_parameter, b.subnets);
    std::map<std::string, std::string> zone_of_first;
    std::set<std::string> shared;
    for (const std::string& id : b.subnets) {
      auto found = subnets.find(id);
      if (found == subnets.end()) continue;
      auto [at, inserted] = zone_of_first.emplace(found->second.zone, id);
      if (!inserted) shared.insert(at->second + " and " + id + " (" + at->first + ")");
    }
    std::string kind = b.application ? "application" : "network";
    if (!shared.empty()) {
      problems.push_back("load balancer " + b.id + ": " + b.subnets_parameter +
                         " has two subnets in one Availability Zone: " + Joined(shared) +
                         "; a load balancer takes one subnet per zone, so pass one of each");
    }
    if (b.application && zone_of_first.size() < 2) {
      std::set<std::string> zones;
      for (const auto& [zone, id] : zone_of_first) zones.insert(zone);
      problems.push_back("load balancer " + b.id + " (application): " + b.subnets_parameter +
                         " spans " + std::to_string(zones.size()) + " Availability Zone" +
                         (zones.size() == 1 ? " (" + Joined(zones) + ")" : "") +
                         "; an application load balancer needs subnets in at least two zones, "
                         "so pass a subnet of another zone too (--parameter " +
                         b.subnets_parameter + "=subnet-…,subnet-…)");
    }
    if (b.internet_facing && b.subnets_parameter != "InstanceSubnets") {
      std::set<std::string> balancer_zones = Zones(b.subnets, subnets);
      std::set<std::string> unreached;
      for (const std::string& zone : instance_zones) {
        if (!balancer_zones.contains(zone)) unreached.insert(zone);
      }
      if (!unreached.empty()) {
        problems.push_back("load balancer " + b.id + " (internet-facing " + kind +
                           "): the instances' zones " + Joined(unreached) + " have no subnet in " +
                           b.subnets_parameter +
                           ", and a balancer routes only to targets in its own zones; add a "
                           "public subnet of each of those zones to " +
                           b.subnets_parameter + ", or leave those zones out of InstanceSubnets");
      }
    }
  }
  return problems;
}

}  // namespace i2kit
