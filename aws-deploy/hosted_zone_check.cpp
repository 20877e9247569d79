#include "aws-deploy/hosted_zone_check.h"

#include <algorithm>
#include <cctype>

namespace i2kit {
namespace {

std::string Canonical(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

}  // namespace

std::string HostedZoneProblem(const std::string& domain, const aws::HostedZone& zone) {
  std::string name = Canonical(zone.name);
  std::string wanted = Canonical(domain);
  if (wanted == name || wanted.ends_with("." + name)) return "";
  return "--domain " + domain + " is not inside the hosted zone HostedZoneId names (" + zone.id +
         ", " + name + "): Route 53 would refuse its records. Pass the HostedZoneId of " + domain +
         "'s zone, or a --domain ending in " + name;
}

}  // namespace i2kit
