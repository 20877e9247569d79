#include "aws-client/cloudwatch_api.h"

#include <cstdio>

namespace i2kit::aws {
namespace {

constexpr size_t kMaxDataPerCall = 1000;

// Enough digits that a byte count survives the round trip (%.17g prints any double exactly).
std::string NumberText(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

}  // namespace

CloudWatchClient::CloudWatchClient(const ClientContext& context)
    : client_(kCloudWatchApi, context) {}

Status CloudWatchClient::PutMetricData(const std::string& name_space,
                                       const std::vector<MetricDatum>& data) {
  if (data.empty() || data.size() > kMaxDataPerCall) {
    return Status::Error("monitoring PutMetricData: " + std::to_string(data.size()) +
                         " data points; 1 to 1000 per call");
  }
  QueryParameters parameters;
  parameters.Add("Namespace", name_space);
  for (size_t i = 0; i < data.size(); ++i) {
    std::string member = "MetricData.member." + std::to_string(i + 1) + ".";
    parameters.Add(member + "MetricName", data[i].name);
    parameters.Add(member + "Unit", data[i].unit);
    parameters.Add(member + "Value", NumberText(data[i].value));
    for (size_t d = 0; d < data[i].dimensions.size(); ++d) {
      std::string dimension = member + "Dimensions.member." + std::to_string(d + 1) + ".";
      parameters.Add(dimension + "Name", data[i].dimensions[d].first);
      parameters.Add(dimension + "Value", data[i].dimensions[d].second);
    }
  }
  Result<XmlDocument> response = client_.Call("PutMetricData", parameters);
  return response.ok() ? Status::Ok() : response.status();
}

}  // namespace i2kit::aws
