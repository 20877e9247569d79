// Whether --domain lies inside the hosted zone HostedZoneId names: Route 53 refuses a record
// outside its zone, and the stack would fail and roll back at its first record.
#pragma once

#include <string>

#include "aws-client/route53_api.h"

namespace i2kit {

// The problem of records under `domain` in `zone`, or "" when `domain` is the zone's name or
// below it (compared without case and without the zone's final dot).
std::string HostedZoneProblem(const std::string& domain, const aws::HostedZone& zone);

}  // namespace i2kit
