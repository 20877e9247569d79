#include "aws-client/sts_api.h"

namespace i2kit::aws {

Result<std::string> CallerAccount(const ClientContext& context) {
  QueryClient sts(kStsApi, context);
  Result<XmlDocument> response = sts.Call("GetCallerIdentity", QueryParameters());
  if (!response.ok()) return response.status();
  Result<std::string> account = response->root().TextAt("GetCallerIdentityResult/Account");
  if (!account.ok()) return account.status().WithContext("sts GetCallerIdentity");
  return account;
}

}  // namespace i2kit::aws
