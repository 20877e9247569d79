#include "ec2-reporter/instance_identity.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace i2kit::reporter {
namespace {

// "vol-" and 8 or 17 lowercase hex digits: EC2's volume ids, old and new.
bool IsEbsVolumeId(const std::string& id) {
  if (id.rfind("vol-", 0) != 0 || (id.size() != 12 && id.size() != 21)) return false;
  return std::all_of(id.begin() + 4, id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

Status ParseUserData(std::string_view user_data, InstanceIdentity& identity) {
  nlohmann::json json = nlohmann::json::parse(user_data, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::Error("user data is not a JSON object");
  auto text = [&](const char* key, std::string& into) {
    auto it = json.find(key);
    if (it == json.end() || !it->is_string() || it->get<std::string>().empty()) {
      return Status::Error(std::string("user data has no ") + key + " (a non-empty string)");
    }
    into = it->get<std::string>();
    return Status::Ok();
  };
  for (Status status : {text("stack", identity.stack), text("resource", identity.resource),
                        text("deployment", identity.deployment),
                        text("metricsNamespace", identity.metrics_namespace)}) {
    if (!status.ok()) return status;
  }
  if (auto endpoint = json.find("endpointUrl"); endpoint != json.end()) {
    if (!endpoint->is_string()) return Status::Error("user data endpointUrl is not a string");
    Result<aws::ServiceEndpoint> parsed = aws::ParseEndpointUrl(endpoint->get<std::string>());
    if (!parsed.ok()) {
      return Status::Error("user data endpointUrl is not a usable URL (" +
                           parsed.status().message() + ")");
    }
    identity.endpoint = *parsed;
  }
  if (auto timeout = json.find("signalTimeoutSeconds"); timeout != json.end()) {
    if (!timeout->is_number_integer() || timeout->get<int64_t>() <= 0) {
      return Status::Error("user data signalTimeoutSeconds is not a positive whole number");
    }
    identity.signal_timeout = std::chrono::seconds(timeout->get<int64_t>());
  }
  if (auto healthy = json.find("targetHealthySeconds"); healthy != json.end()) {
    if (!healthy->is_number_integer() || healthy->get<int64_t>() < 0) {
      return Status::Error("user data targetHealthySeconds is not a whole number of seconds");
    }
    identity.target_healthy = std::chrono::seconds(healthy->get<int64_t>());
  }
  if (auto volumes = json.find("volumes"); volumes != json.end()) {
    if (!volumes->is_object()) return Status::Error("user data volumes is not an object");
    for (const auto& [name, id] : volumes->items()) {
      if (name.empty() || !id.is_string() || !IsEbsVolumeId(id.get<std::string>())) {
        return Status::Error("user data volume '" + name +
                             "' is not a volume name with an EBS volume id (vol-…)");
      }
      identity.volumes[name] = id.get<std::string>();
    }
  }
  return Status::Ok();
}

std::chrono::seconds DiscoveryBackoff(int attempt) {
  if (attempt <= 0) return std::chrono::seconds(0);
  // Doubling stops at the cap, before a shift could reach the width of an int.
  std::chrono::seconds pause(1);
  for (int n = 1; n < attempt && pause < kMaxDiscoveryBackoff; ++n) pause *= 2;
  return std::min(pause, kMaxDiscoveryBackoff);
}

Result<InstanceIdentity> ReadInstanceIdentity(aws::InstanceMetadataClient& metadata,
                                              IdentityFailure* failure) {
  if (failure) *failure = IdentityFailure::kNoAnswer;
  InstanceIdentity identity;
  Result<std::string> id = metadata.Get("meta-data/instance-id");
  if (!id.ok()) return id.status();
  identity.instance_id = *id;
  Result<std::string> region = metadata.Get("meta-data/placement/region");
  if (!region.ok()) return region.status();
  identity.region = *region;
  Result<std::string> user_data = metadata.Get("user-data");
  if (!user_data.ok()) return user_data.status();
  Status parsed = ParseUserData(*user_data, identity);
  if (!parsed.ok()) {
    if (failure) *failure = IdentityFailure::kUserData;
    return parsed;
  }
  return identity;
}

}  // namespace i2kit::reporter
