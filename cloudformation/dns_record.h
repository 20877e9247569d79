// Service discovery by name, as the original i2kit did: NAME.ZONE in the stack's Route 53
// hosted zone, an alias of the load balancer of the Deployment or Service called NAME.
#pragma once

#include <string>

#include "cloudformation/balancer_plan.h"
#include "cloudformation/template_document.h"

namespace i2kit::cfn {

// "web.example.com": the name `plan`'s balancer answers under in `zone`.
std::string RecordName(const BalancerPlan& plan, const std::string& zone);

// Adds the alias record of `plan`'s balancer in the hosted zone of parameter HostedZoneId.
Status AddAliasRecord(const BalancerPlan& plan, const std::string& zone, TemplateDocument& doc);

// An error unless `zone` is a lower-case DNS name ("example.com", no trailing dot).
Status CheckZoneName(const std::string& zone);

}  // namespace i2kit::cfn
