#include "aws-client/kms_api.h"

#include "aws-client/rest_json_protocol.h"

namespace i2kit::aws {

KmsClient::KmsClient(const ClientContext& context) : client_(kKmsApi, context) {}

Result<KmsKey> KmsClient::DescribeKey(const std::string& key_id) {
  Result<nlohmann::json> answer = client_.Call("DescribeKey", {{"KeyId", key_id}});
  if (!answer.ok()) return answer.status();
  const char what[] = "kms DescribeKey";
  auto metadata = answer->find("KeyMetadata");
  if (metadata == answer->end() || !metadata->is_object()) {
    return Status::Error(std::string(what) + ": the answer has no KeyMetadata");
  }
  KmsKey key;
  for (auto [member, into] : {std::pair{"Arn", &key.arn}, std::pair{"AWSAccountId", &key.account},
                              std::pair{"KeyManager", &key.manager}}) {
    Result<std::string> value = StringMember(*metadata, member, what);
    if (!value.ok()) return value.status();
    *into = *value;
  }
  return key;
}

Result<std::string> KmsClient::KeyPolicy(const std::string& key_id) {
  Result<nlohmann::json> answer =
      client_.Call("GetKeyPolicy", {{"KeyId", key_id}, {"PolicyName", "default"}});
  if (!answer.ok()) return answer.status();
  return StringMember(*answer, "Policy", "kms GetKeyPolicy");
}

}  // namespace i2kit::aws
