#include "aws-client/ec2_account_api.h"

namespace i2kit::aws {
namespace {

QueryParameters VpcFilter(const std::string& vpc_id) {
  QueryParameters parameters;
  parameters.Add("Filter.1.Name", "vpc-id");
  parameters.AddList("Filter.1.Value", {vpc_id});
  return parameters;
}

// The one target a route names: EC2 writes it in the member of its kind.
std::string RouteTarget(const XmlElement& route) {
  for (const char* member :
       {"gatewayId", "natGatewayId", "transitGatewayId", "instanceId", "networkInterfaceId",
        "vpcPeeringConnectionId", "egressOnlyInternetGatewayId", "localGatewayId",
        "carrierGatewayId", "coreNetworkArn"}) {
    std::string target = route.TextOrEmpty(member);
    if (!target.empty()) return target;
  }
  return "";
}

}  // namespace

Ec2AccountClient::Ec2AccountClient(const ClientContext& context) : client_(kEc2Api, context) {}

Status Ec2AccountClient::CallPages(std::string_view action, const QueryParameters& parameters,
                                   const std::function<void(const XmlElement&)>& read) {
  std::string token;
  do {
    QueryParameters page = parameters;
    if (!token.empty()) page.Add("NextToken", token);
    Result<XmlDocument> response = client_.Call(action, page);
    if (!response.ok()) return response.status();
    read(response->root());
    token = response->root().TextOrEmpty("nextToken");
  } while (!token.empty());
  return Status::Ok();
}

Result<std::vector<InstanceTypeInfo>> Ec2AccountClient::DescribeInstanceTypes(
    const std::vector<std::string>& names) {
  QueryParameters parameters;
  parameters.AddList("InstanceType", names);
  std::vector<InstanceTypeInfo> types;
  Status read = CallPages("DescribeInstanceTypes", parameters, [&](const XmlElement& root) {
    for (const XmlElement& t : root.Members("instanceTypeSet", "item")) {
      InstanceTypeInfo info;
      info.name = t.TextOrEmpty("instanceType");
      info.hypervisor = t.TextOrEmpty("hypervisor");
      for (const XmlElement& a : t.Members("processorInfo/supportedArchitectures", "item")) {
        info.architectures.push_back(a.Text());
      }
      info.ena_support = t.TextOrEmpty("networkInfo/enaSupport");
      info.nvme_support = t.TextOrEmpty("ebsInfo/nvmeSupport");
      info.bare_metal = t.TextOrEmpty("bareMetal") == "true";
      types.push_back(std::move(info));
    }
  });
  if (!read.ok()) return read;
  return types;
}

Result<std::vector<Subnet>> Ec2AccountClient::DescribeSubnets(const std::vector<std::string>& ids) {
  QueryParameters parameters;
  parameters.AddList("SubnetId", ids);
  std::vector<Subnet> subnets;
  Status read = CallPages("DescribeSubnets", parameters, [&](const XmlElement& root) {
    for (const XmlElement& s : root.Members("subnetSet", "item")) {
      subnets.push_back({s.TextOrEmpty("subnetId"), s.TextOrEmpty("vpcId"),
                         s.TextOrEmpty("availabilityZone"),
                         s.TextOrEmpty("mapPublicIpOnLaunch") == "true"});
    }
  });
  if (!read.ok()) return read;
  return subnets;
}

Result<std::vector<RouteTable>> Ec2AccountClient::DescribeRouteTables(const std::string& vpc_id) {
  std::vector<RouteTable> tables;
  Status read = CallPages("DescribeRouteTables", VpcFilter(vpc_id), [&](const XmlElement& root) {
    for (const XmlElement& t : root.Members("routeTableSet", "item")) {
      RouteTable table;
      table.id = t.TextOrEmpty("routeTableId");
      for (const XmlElement& a : t.Members("associationSet", "item")) {
        if (a.TextOrEmpty("main") == "true") table.main = true;
        std::string subnet = a.TextOrEmpty("subnetId");
        if (!subnet.empty()) table.subnet_ids.push_back(subnet);
      }
      for (const XmlElement& r : t.Members("routeSet", "item")) {
        table.routes.push_back(
            {r.TextOrEmpty("destinationCidrBlock"), RouteTarget(r), r.TextOrEmpty("state")});
      }
      tables.push_back(std::move(table));
    }
  });
  if (!read.ok()) return read;
  return tables;
}

Result<std::vector<VpcEndpoint>> Ec2AccountClient::DescribeVpcEndpoints(const std::string& vpc_id) {
  std::vector<VpcEndpoint> endpoints;
  Status read = CallPages("DescribeVpcEndpoints", VpcFilter(vpc_id), [&](const XmlElement& root) {
    for (const XmlElement& e : root.Members("vpcEndpointSet", "item")) {
      endpoints.push_back({e.TextOrEmpty("serviceName"), e.TextOrEmpty("vpcEndpointType"),
                           e.TextOrEmpty("state"), e.TextOrEmpty("privateDnsEnabled") == "true"});
    }
  });
  if (!read.ok()) return read;
  return endpoints;
}

Result<std::optional<std::string>> Ec2AccountClient::EbsDefaultKmsKey() {
  Result<XmlDocument> enabled = client_.Call("GetEbsEncryptionByDefault", {});
  if (!enabled.ok()) return enabled.status();
  if (enabled->root().TextOrEmpty("ebsEncryptionByDefault") != "true") {
    return std::optional<std::string>();
  }
  Result<XmlDocument> key = client_.Call("GetEbsDefaultKmsKeyId", {});
  if (!key.ok()) return key.status();
  Result<std::string> id = key->root().TextAt("kmsKeyId");
  if (!id.ok()) return id.status().WithContext("ec2 GetEbsDefaultKmsKeyId");
  return std::optional<std::string>(*id);
}

}  // namespace i2kit::aws
