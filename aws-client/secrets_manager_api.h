// The Secrets Manager call the EC2 reporter makes for the agent at boot (JSON protocol 1.1,
// model secretsmanager 2017-10-17): the value of the deployment's secret, which the stack made
// from a NoEcho parameter (cloudformation/instance_role.h). Reads; never writes or logs it.
#pragma once

#include <string>

#include "aws-client/json_client.h"

namespace i2kit::aws {

inline constexpr JsonApi kSecretsManagerApi{"secretsmanager", "secretsmanager", "secretsmanager",
                                            "1.1"};

class SecretsManagerClient {
 public:
  explicit SecretsManagerClient(const ClientContext& context);

  // The SecretString of the current version (AWSCURRENT) of the secret `secret_id` names (a
  // name or an ARN). Fails with AWS's error (ResourceNotFoundException, AccessDeniedException…)
  // and, for a secret kept as SecretBinary, saying so; an error never holds the value.
  Result<std::string> GetSecretString(const std::string& secret_id, AwsError* error = nullptr);

 private:
  JsonClient client_;
};

}  // namespace i2kit::aws
