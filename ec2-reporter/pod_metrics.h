// The CloudWatch metrics the reporter publishes each minute, all declared here. Dimensions:
// Deployment and InstanceId.
//   MemoryUsed         Bytes  the guest's MemTotal − MemAvailable
//   ContainerRestarts  Count  restarts of all containers since the previous publication
//   Ready              None   1 when every container is ready, else 0
#pragma once

#include <vector>

#include "aws-client/cloudwatch_api.h"
#include "ec2-reporter/agent_status.h"
#include "ec2-reporter/instance_identity.h"

namespace i2kit::reporter {

// The data points for `report`; `restarts_since_last` is the increase of the containers'
// restart counts since the previous publication.
std::vector<aws::MetricDatum> PodMetrics(const AgentReport& report, const InstanceIdentity& id,
                                         int restarts_since_last);

// The sum of the containers' restart counts.
int TotalRestarts(const AgentReport& report);

}  // namespace i2kit::reporter
