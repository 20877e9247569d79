// The agent's client of the instance-metadata service, IMDSv2 as on EC2: a session token from
// PUT /latest/api/token, then GETs carrying it. Locally the same paths are answered by
// `i2kit-host metadata-serve` (pod_vm.h kCmdlineMetadata). Blocking with short timeouts: it is
// only called off the supervision path.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"

namespace i2kit {

class MetadataClient {
 public:
  MetadataClient(std::string address, int port, std::chrono::milliseconds timeout)
      : address_(std::move(address)), port_(port), timeout_(timeout) {}

  // Gets a token (once, and again when the service refuses it) and GETs `path` with it; the
  // body of a 200, else an error naming the path and the status or errno.
  Result<std::string> Get(const std::string& path);
  // One PUT of `path` with no token and no body (the local kBootIdentityPath); the body of the
  // answer, whatever its status, which goes to `status`.
  Result<std::string> PutWithoutToken(const std::string& path, int* status);

 private:
  Result<std::string> Request(const std::string& head, int* status);
  std::string address_;
  int port_;
  std::chrono::milliseconds timeout_;
  std::string token_;
};

}  // namespace i2kit
