// The EC2 instance metadata service, version 2 (IMDSv2): a session token from PUT
// /latest/api/token, then GETs carrying it. What the credentials chain's last link (the
// instance role) and the agent on EC2 need from it.
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "aws-client/credentials.h"
#include "aws-client/http_transport.h"

namespace i2kit::aws {

// http://169.254.169.254/, or AWS_EC2_METADATA_SERVICE_ENDPOINT when set (as the AWS CLI).
Result<ServiceEndpoint> InstanceMetadataEndpoint(const Environment& environment);

// True when AWS_EC2_METADATA_DISABLED=true: the chain must not ask (the AWS CLI's switch).
bool InstanceMetadataDisabled(const Environment& environment);

// Reads the temporary credentials of the role document `json` (what
// /latest/meta-data/iam/security-credentials/ROLE answers): AccessKeyId, SecretAccessKey,
// Token, Expiration. Fails naming a missing field or a Code other than Success.
Result<Credentials> ParseRoleCredentials(std::string_view json);

class InstanceMetadataClient {
 public:
  // `transport` is borrowed; it should time out fast (the AWS CLI waits 1 s), since off EC2
  // nothing answers.
  InstanceMetadataClient(HttpTransport& transport, ServiceEndpoint endpoint);

  // The body of GET /latest/PATH ("meta-data/instance-id"), fetching a token first when there
  // is none yet. Fails with the status or transport error.
  Result<std::string> Get(std::string_view path);

  // The instance role's credentials: the role's name, then its document.
  Result<Credentials> RoleCredentials();

 private:
  Status FetchToken();

  HttpTransport& transport_;
  ServiceEndpoint endpoint_;
  std::string token_;
};

}  // namespace i2kit::aws
