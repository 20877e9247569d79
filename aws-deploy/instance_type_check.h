// Whether an EC2 instance type can boot i2kit's image: an x86-64 kernel whose disks are NVMe and
// whose network is ENA, booted by UEFI — which is Nitro (or bare metal). Xen types (t2, m4, c4,
// r4, i3 …) have neither NVMe for EBS nor always ENA, and Graviton types (t4g, m7g …) are
// arm64: their instances would start, never boot, and be replaced until the stack times out.
#pragma once

#include <string>

#include "aws-client/ec2_account_api.h"

namespace i2kit {

// Why `info` cannot run the image of `deployment`, naming the types that would, or "" when
// it can.
std::string InstanceTypeProblem(const std::string& deployment, const aws::InstanceTypeInfo& info);

// The Nitro x86-64 type nearest `name`, same size ("t2.micro" -> "t3.micro", "m7g.large" ->
// "m7i.large"), or "" when there is no obvious one.
std::string NitroCounterpart(const std::string& name);

}  // namespace i2kit
