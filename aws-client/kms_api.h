// The KMS calls deploy's preflight makes (JSON protocol 1.1, model kms 2014-11-01): who manages
// a key, and its key policy — to tell whether Auto Scaling may use the account's default EBS
// key. Both read, neither writes.
#pragma once

#include <string>

#include "aws-client/json_client.h"

namespace i2kit::aws {

inline constexpr JsonApi kKmsApi{"kms", "kms", "TrentService", "1.1"};

struct KmsKey {
  std::string arn;
  std::string account;  // the AWS account that owns it
  std::string manager;  // "AWS" (an AWS managed key such as aws/ebs) or "CUSTOMER"
};

class KmsClient {
 public:
  explicit KmsClient(const ClientContext& context);

  // The key `key_id` names (an ID, an ARN or "alias/…").
  Result<KmsKey> DescribeKey(const std::string& key_id);
  // The text of the key's policy (its only one, "default"): a JSON policy document.
  Result<std::string> KeyPolicy(const std::string& key_id);

 private:
  JsonClient client_;
};

}  // namespace i2kit::aws
