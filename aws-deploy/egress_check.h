// Whether the instances can reach the AWS services their EC2 reporter calls — CloudFormation
// (the startup signal every creation and rolling update waits for), Auto Scaling, CloudWatch
// and CloudWatch Logs: through a route to the internet (a NAT gateway; an internet gateway only
// when the subnet gives instances public addresses), or through interface VPC endpoints with
// private DNS. Without either the instances could never signal, and the stack would only fail
// at its timeout.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "aws-client/ec2_account_api.h"

namespace i2kit {

// The endpoint prefixes of the services the reporter calls ("monitoring" is CloudWatch's).
inline constexpr const char* kReporterServices[] = {"cloudformation", "autoscaling", "monitoring",
                                                    "logs"};

// Why `subnet` has no way to the internet ("its route table rtb-… has no route to 0.0.0.0/0"),
// or "" when it has one (or one that may be: a transit gateway, a NAT instance).
std::string NoEgressReason(const aws::Subnet& subnet, const std::vector<aws::RouteTable>& tables);

// The problem of instance subnets `ids` in `region`, or "" when every one reaches the internet
// or the VPC has an endpoint for each of kReporterServices.
std::string EgressProblem(const std::vector<std::string>& ids,
                          const std::map<std::string, aws::Subnet>& subnets,
                          const std::vector<aws::RouteTable>& tables,
                          const std::vector<aws::VpcEndpoint>& endpoints,
                          const std::string& region);

}  // namespace i2kit
