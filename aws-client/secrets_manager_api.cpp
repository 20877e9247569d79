#include "aws-client/secrets_manager_api.h"

namespace i2kit::aws {

SecretsManagerClient::SecretsManagerClient(const ClientContext& context)
    : client_(kSecretsManagerApi, context) {}

Result<std::string> SecretsManagerClient::GetSecretString(const std::string& secret_id,
                                                          AwsError* error) {
  Result<nlohmann::json> answer = client_.Call("GetSecretValue", {{"SecretId", secret_id}}, error);
  if (!answer.ok()) return answer.status();
  auto text = answer->find("SecretString");
  if (text == answer->end() || !text->is_string()) {
    return Status::Error("secretsmanager GetSecretValue " + secret_id + ": " +
                         (answer->contains("SecretBinary") ? "the secret is binary, not a string"
                                                           : "the answer has no SecretString"));
  }
  return text->get<std::string>();
}

}  // namespace i2kit::aws
