// One AWS request sent the way every protocol sends it (Query, EC2, REST-JSON): signed again on
// each attempt with that attempt's time, retried under the session's retry policy, and a
// failure turned into one error naming the service, the operation, AWS's code and request id.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws-client/clock_skew.h"
#include "aws-client/credentials.h"
#include "aws-client/http_transport.h"
#include "aws-client/query_protocol.h"
#include "aws-client/retry_policy.h"
#include "aws-client/service_endpoint.h"
#include "common/status.h"

namespace i2kit::aws {

// How long a call waits for a resource AWS has just made to be known to the service it calls
// (AWS is eventually consistent: a new snapshot is briefly "not found" to PutSnapshotBlock,
// coldsnap retries each block for about two minutes). Injected: tests wait nothing.
struct ConsistencyWait {
  std::chrono::milliseconds interval{2000};
  std::chrono::milliseconds patience{std::chrono::minutes(2)};
  // The attempts patience allows: patience / interval, at least one a second's worth when
  // the interval is shorter (zero in tests), so a resource that never comes ends the wait.
  int Attempts() const;
};

// What the clients of one session share. The transport and retry policy are borrowed and must
// outlive every client; `now` and `sleep` are injected so tests control time. Neither the
// transport nor the policy is thread-safe: a thread of its own needs a context of its own.
struct ClientContext {
  Credentials credentials;
  std::string region;
  std::optional<ServiceEndpoint> endpoint_override;  // --endpoint-url: every service there
  HttpTransport* transport = nullptr;
  RetryPolicy* retry_policy = nullptr;
  std::function<std::chrono::sys_seconds()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  // Told about each retry ("Throttling; retrying in 0.8 s"); may be empty.
  std::function<void(const std::string&)> notice;
  ConsistencyWait consistency;
  // AWS's clock minus `now`, learned from a clock skew error; copies of the context share it.
  std::shared_ptr<ClockSkew> clock_skew = std::make_shared<ClockSkew>();
};

// What one operation asks of SendSigned beyond its protocol's defaults.
struct CallTraits {
  // botocore's model gives the operation authtype v4-unsigned-body (SigningParams).
  bool unsigned_payload = false;
  // AWS error codes that, for this call, mean a resource just made is not known yet: retried
  // under context.consistency, apart from the retry policy.
  std::vector<std::string_view> not_yet_known;
  // S3's signing: the path signed as sent, and x-amz-content-sha256 (which S3 requires).
  bool s3_signing = false;
};

// The production clock and sleep for a ClientContext.
std::chrono::sys_seconds SystemNow();
void SleepFor(std::chrono::milliseconds duration);

// The endpoint of the service whose endpoint prefix is `prefix` in `context`: the override,
// else the regional one.
ServiceEndpoint EndpointFor(const ClientContext& context, std::string_view prefix);

// Judges one response: Ok when the call succeeded (the reader keeps what it needs of it);
// otherwise the failure, with AWS's error filled in when the body carried one.
using ResponseReader = std::function<Status(const HttpResponse& response, AwsError& error)>;

// Sends `request` (Host and the protocol's headers set) to `endpoint`, signed for the service
// `signing_name` at context.now() corrected by the clock skew, until `read` accepts a response
// or the retry policy gives up. A refusal for clock skew whose Date shows the clock off sets
// the correction and is sent again at once (once a call). `what` ("ebs PutSnapshotBlock")
// begins the error; `error`, when given, receives AWS's last error.
Status SendSigned(const ClientContext& context, const ServiceEndpoint& endpoint,
                  std::string_view signing_name, std::string_view what, HttpRequest request,
                  const ResponseReader& read, AwsError* error = nullptr,
                  const CallTraits& traits = {});

}  // namespace i2kit::aws
