#include "aws-deploy/egress_check.h"

#include <algorithm>
#include <cctype>

namespace i2kit {
namespace {

const aws::RouteTable* TableOf(const std::string& subnet_id,
                               const std::vector<aws::RouteTable>& tables) {
  for (const aws::RouteTable& table : tables) {
    if (std::find(table.subnet_ids.begin(), table.subnet_ids.end(), subnet_id) !=
        table.subnet_ids.end()) {
      return &table;
    }
  }
  // A subnet associated with no table uses the VPC's main one.
  for (const aws::RouteTable& table : tables) {
    if (table.main) return &table;
  }
  return nullptr;
}

bool EqualsIgnoringCase(const std::string& a, const std::string& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::string NoEgressReason(const aws::Subnet& subnet, const std::vector<aws::RouteTable>& tables) {
  const aws::RouteTable* table = TableOf(subnet.id, tables);
  if (!table) return "its VPC has no route table";
  for (const aws::Route& route : table->routes) {
    if (route.destination != "0.0.0.0/0") continue;
    if (route.state == "blackhole") {
      return "its route table " + table->id + " sends 0.0.0.0/0 to " + route.target +
             ", which is gone (blackhole)";
    }
    if (route.target.starts_with("igw-") && !subnet.map_public_ip_on_launch) {
      return "its route table " + table->id + " sends 0.0.0.0/0 to the internet gateway " +
             route.target + ", but the subnet gives instances no public address";
    }
    return "";  // a NAT gateway, an internet gateway with public addresses, or a way we trust
  }
  return "its route table " + table->id + " has no route to 0.0.0.0/0 (no NAT gateway)";
}

std::string EgressProblem(const std::vector<std::string>& ids,
                          const std::map<std::string, aws::Subnet>& subnets,
                          const std::vector<aws::RouteTable>& tables,
                          const std::vector<aws::VpcEndpoint>& endpoints,
                          const std::string& region) {
  std::string closed;
  for (const std::string& id : ids) {
    auto subnet = subnets.find(id);
    if (subnet == subnets.end()) continue;
    std::string reason = NoEgressReason(subnet->second, tables);
    if (!reason.empty()) closed += (closed.empty() ? "" : "; ") + id + ": " + reason;
  }
  if (closed.empty()) return "";
  std::string missing;
  for (const char* service : kReporterServices) {
    std::string name = "com.amazonaws." + region + "." + service;
    bool found = std::any_of(endpoints.begin(), endpoints.end(), [&](const aws::VpcEndpoint& e) {
      return e.service_name == name && e.type == "Interface" && e.private_dns &&
             EqualsIgnoringCase(e.state, "available");
    });
    if (!found) missing += (missing.empty() ? "" : ", ") + name;
  }
  if (missing.empty()) return "";
  return "InstanceSubnets cannot reach AWS (" + closed +
         "), and the VPC has no interface endpoint with private DNS for " + missing +
         ": the instances could never signal CloudFormation, and the stack would wait for them "
         "until it times out. Route 0.0.0.0/0 of those subnets to a NAT gateway, or create "
         "those interface endpoints in the VPC";
}

}  // namespace i2kit
