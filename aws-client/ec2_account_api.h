// The EC2 calls that describe the account a stack goes into, for deploy's preflight (model ec2
// 2016-11-15, EC2's Query dialect): what an instance type is built on, where subnets are and
// how they reach the internet, the VPC's endpoints, and the key new EBS volumes get. All read,
// none writes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aws-client/query_client.h"

namespace i2kit::aws {

struct InstanceTypeInfo {
  std::string name;
  std::string hypervisor;                  // "nitro", "xen"; empty for metal sizes
  std::vector<std::string> architectures;  // "x86_64", "arm64", "i386"
  std::string ena_support;                 // "required", "supported", "unsupported"
  std::string nvme_support;                // of EBS volumes: the same three
  bool bare_metal = false;
};

struct Subnet {
  std::string id;
  std::string vpc_id;
  std::string zone;  // "us-east-1a"
  bool map_public_ip_on_launch = false;
};

struct Route {
  std::string destination;  // "0.0.0.0/0", "10.0.0.0/16"; empty for a prefix list or IPv6
  std::string target;  // "local", "igw-…", "nat-…", "tgw-…", "eni-…", "i-…", "pcx-…"
  std::string state;   // "active", "blackhole"
};

struct RouteTable {
  std::string id;
  bool main = false;  // the VPC's main table: that of every subnet associated with no other
  std::vector<std::string> subnet_ids;  // explicitly associated
  std::vector<Route> routes;
};

struct VpcEndpoint {
  std::string service_name;  // "com.amazonaws.us-east-1.logs"
  std::string type;          // "Interface", "Gateway"
  std::string state;         // "available" (EC2 answers it in either case), "pending", …
  bool private_dns = false;  // the service's regional name resolves to the endpoint
};

class Ec2AccountClient {
 public:
  explicit Ec2AccountClient(const ClientContext& context);

  // What EC2 says of each of `names`; a name EC2 does not know fails the call (its error
  // names it).
  Result<std::vector<InstanceTypeInfo>> DescribeInstanceTypes(
      const std::vector<std::string>& names);
  // The subnets `ids`; one that does not exist fails (InvalidSubnetID.NotFound).
  Result<std::vector<Subnet>> DescribeSubnets(const std::vector<std::string>& ids);
  // Every route table and interface or gateway endpoint of the VPC, following NextToken.
  Result<std::vector<RouteTable>> DescribeRouteTables(const std::string& vpc_id);
  Result<std::vector<VpcEndpoint>> DescribeVpcEndpoints(const std::string& vpc_id);
  // The KMS key new EBS volumes are encrypted with (an ID, ARN or "alias/…"), nullopt when the
  // account does not encrypt them by default.
  Result<std::optional<std::string>> EbsDefaultKmsKey();

 private:
  // Calls `action` with `parameters` until its answer has no nextToken, handing each page to
  // `read`.
  Status CallPages(std::string_view action, const QueryParameters& parameters,
                   const std::function<void(const XmlElement&)>& read);
  QueryClient client_;
};

}  // namespace i2kit::aws
