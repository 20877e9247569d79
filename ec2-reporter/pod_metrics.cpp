#include "ec2-reporter/pod_metrics.h"

namespace i2kit::reporter {

std::vector<aws::MetricDatum> PodMetrics(const AgentReport& report, const InstanceIdentity& id,
                                         int restarts_since_last) {
  std::vector<std::pair<std::string, std::string>> dimensions = {{"Deployment", id.deployment},
                                                                 {"InstanceId", id.instance_id}};
  return {
      {"MemoryUsed", "Bytes", static_cast<double>(report.memory_used_bytes), dimensions},
      {"ContainerRestarts", "Count", static_cast<double>(restarts_since_last), dimensions},
      {"Ready", "None", report.ready ? 1.0 : 0.0, dimensions},
  };
}

int TotalRestarts(const AgentReport& report) {
  int total = 0;
  for (const ContainerReport& c : report.containers) total += c.restarts;
  return total;
}

}  // namespace i2kit::reporter
