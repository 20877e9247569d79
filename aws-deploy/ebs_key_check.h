// Whether Auto Scaling can launch instances whose volumes the account encrypts by default with
// a customer managed KMS key: the key's policy must let Auto Scaling's service-linked role
// (AWSServiceRoleForAutoScaling) use it and create grants on it — its own IAM policy grants no
// KMS permission, so the account's root principal in the key policy is not enough. Without
// that, every instance stops at launch with Client.InternalError and the stack times out.
#pragma once

#include <string>

#include "aws-client/kms_api.h"

namespace i2kit {

// The KMS actions AWS's documentation has a key policy allow the service-linked role.
inline constexpr const char* kAutoScalingKeyActions[] = {
    "kms:Encrypt",     "kms:Decrypt",         "kms:ReEncryptFrom",
    "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey", "kms:CreateGrant"};

// "arn:aws:iam::ACCOUNT:role/aws-service-role/autoscaling.amazonaws.com/
// AWSServiceRoleForAutoScaling", in the partition and account of `key`.
std::string AutoScalingRoleArn(const aws::KmsKey& key);

// The problem of `key` as the default EBS key given its policy text, or "" when it is AWS
// managed or its policy allows the role every action above (Allow statements whose principal
// is the role or "*", actions matched with their wildcards; conditions are not judged).
std::string EbsKeyProblem(const aws::KmsKey& key, const std::string& policy);

}  // namespace i2kit
