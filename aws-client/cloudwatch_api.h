// CloudWatch metrics through the Query protocol (API 2010-08-01, endpoint and signing name
// "monitoring"): PutMetricData, what the EC2 reporter publishes each minute.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "aws-client/query_client.h"

namespace i2kit::aws {

inline constexpr QueryApi kCloudWatchApi{"monitoring", "monitoring", "2010-08-01"};

struct MetricDatum {
  std::string name;
  std::string unit;  // one of CloudWatch's units: "Bytes", "Count", "None", …
  double value = 0;
  std::vector<std::pair<std::string, std::string>> dimensions;  // name, value
};

class CloudWatchClient {
 public:
  explicit CloudWatchClient(const ClientContext& context);

  // Publishes `data` (at most 1000 data points, CloudWatch's limit per call) under `name_space`;
  // the time of each point is the time CloudWatch receives it.
  Status PutMetricData(const std::string& name_space, const std::vector<MetricDatum>& data);

 private:
  QueryClient client_;
};

}  // namespace i2kit::aws
