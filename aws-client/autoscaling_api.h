// The Auto Scaling calls i2kit makes: what `status` shows of each deployment's group, and the
// EC2 reporter's verdict on its own instance.
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
  // Marks instance `instance_id` Healthy or Unhealthy; an Unhealthy one is replaced by its
  // group (the grace period is not respected: the caller knows the Pod cannot recover).
  Status SetInstanceHealth(const std::string& instance_id, bool healthy);

 private:
  QueryClient client_;
};

}  // namespace i2kit::aws
