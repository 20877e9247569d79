#include "aws-client/autoscaling_api.h"

#include <charconv>

namespace i2kit::aws {
namespace {

// DescribeAutoScalingGroups takes at most 100 names per call (its MaxRecords too).
constexpr size_t kMaxNamesPerCall = 100;

int IntOrZero(const XmlElement& element, std::string_view path) {
  std::string text = element.TextOrEmpty(path);
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

AutoScalingClient::AutoScalingClient(const ClientContext& context)
    : client_(kAutoScalingApi, context) {}

Result<std::vector<AutoScalingGroup>> AutoScalingClient::DescribeGroups(
    const std::vector<std::string>& names) {
  std::vector<AutoScalingGroup> groups;
  for (size_t start = 0; start < names.size(); start += kMaxNamesPerCall) {
    std::vector<std::string> batch(names.begin() + static_cast<std::ptrdiff_t>(start),
                                   names.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                       names.size(), start + kMaxNamesPerCall)));
    std::string next_token;
    do {
      QueryParameters parameters;
      parameters.AddList("AutoScalingGroupNames.member", batch);
      if (!next_token.empty()) parameters.Add("NextToken", next_token);
      Result<XmlDocument> response = client_.Call("DescribeAutoScalingGroups", parameters);
      if (!response.ok()) return response.status();
      XmlElement root = response->root();
      for (const XmlElement& g :
           root.Members("DescribeAutoScalingGroupsResult/AutoScalingGroups")) {
        AutoScalingGroup group{g.TextOrEmpty("AutoScalingGroupName"),
                               IntOrZero(g, "MinSize"),
                               IntOrZero(g, "MaxSize"),
                               IntOrZero(g, "DesiredCapacity"),
                               {}};
        for (const XmlElement& i : g.Members("Instances")) {
          group.instances.push_back({i.TextOrEmpty("InstanceId"), i.TextOrEmpty("AvailabilityZone"),
                                     i.TextOrEmpty("LifecycleState"),
                                     i.TextOrEmpty("HealthStatus")});
        }
        groups.push_back(std::move(group));
      }
      next_token = root.TextOrEmpty("DescribeAutoScalingGroupsResult/NextToken");
    } while (!next_token.empty());
  }
  return groups;
}

Status AutoScalingClient::SetInstanceHealth(const std::string& instance_id, bool healthy) {
  QueryParameters parameters;
  parameters.Add("InstanceId", instance_id);
  parameters.Add("HealthStatus", healthy ? "Healthy" : "Unhealthy");
  parameters.Add("ShouldRespectGracePeriod", "false");
  Result<XmlDocument> response = client_.Call("SetInstanceHealth", parameters);
  return response.ok() ? Status::Ok() : response.status();
}

}  // namespace i2kit::aws
