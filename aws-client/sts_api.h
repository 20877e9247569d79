// The one STS call i2kit makes (Query protocol, model sts 2011-06-15): which account the
// credentials act in, to name that account's template bucket. GetCallerIdentity needs no
// permission: IAM cannot deny it.
#pragma once

#include <string>

#include "aws-client/query_client.h"

namespace i2kit::aws {

inline constexpr QueryApi kStsApi{"sts", "sts", "2011-06-15"};

// The 12-digit ID of the account the credentials of `context` belong to.
Result<std::string> CallerAccount(const ClientContext& context);

}  // namespace i2kit::aws
