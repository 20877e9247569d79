// What deploy and diff do before they create or update a stack: read the account (never write
// to it) and refuse, with what to fix, what would otherwise surface as a failed and rolled back
// stack or a ten-minute timeout — instance types that cannot boot the image, subnets that do
// not fit the load balancers, instances that could never reach AWS to signal, a --domain
// outside its hosted zone, a default EBS key Auto Scaling may not use.
#pragma once

#include <optional>
#include <string>

#include "aws-deploy/aws_session.h"
#include "aws-deploy/stack_rollout.h"
#include "common/event_log.h"

namespace i2kit {

// Ok when the account is ready for `change` (with records under `domain`, "" for none);
// otherwise an error listing every problem found, one per line. An AWS error in a read fails
// it too, naming the call. Parameters not given are the existing stack's. `nat_needed`, when
// given, learns whether the instance subnets lack a way out (a NAT gateway, or endpoints) and
// so need a NAT gateway, billed by the hour: the estimate counts it.
Status CheckAccountReady(const StackChange& change, const std::string& domain, AwsSession& session,
                         EventLog& log, std::optional<bool>* nat_needed = nullptr);

}  // namespace i2kit
