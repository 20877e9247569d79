// The Auto Scaling calls i2kit makes: what `status` shows of each deployment's group.
#pragma once

#include <string>
#include <vector>

#include "aws-client/query_client.h"

namespace i2kit::aws {

struct GroupInstance {
  std::string id;
  std::string availability_zone;
  std::string lifecycle_state;  // Pending, InService, Terminating, …
  std::string health_status;    // Healthy, Unhealthy
};

struct AutoScalingGroup {
  std::string name;
  int min_size = 0;
  int max_size = 0;
  int desired_capacity = 0;
  std::vector<GroupInstance> instances;
};

class AutoScalingClient {
 public:
  explicit AutoScalingClient(const ClientContext& context);

  // The groups called `names` (following NextToken); groups that do not exist are left out.
  Result<std::vector<AutoScalingGroup>> DescribeGroups(const std::vector<std::string>& names);

 private:
  QueryClient client_;
};

}  // namespace i2kit::aws
