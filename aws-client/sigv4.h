// AWS Signature Version 4 for requests signed in the Authorization header: canonical request,
// string to sign, signing key and signature, each a pure function of its inputs.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
#pragma once

#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "aws-client/credentials.h"
#include "common/status.h"

namespace i2kit::aws {

struct HttpHeader {
  std::string name;
  std::string value;
};

// An HTTP request as it will be sent. `path` and `query` are the request line's, as sent
// (percent-encoded; query without the '?'); `headers` must include Host.
struct HttpRequest {
  std::string method;
  std::string path = "/";
  std::string query;
  std::vector<HttpHeader> headers;
  std::string body;
};

// How the canonical URI is derived from the path. Every service but S3 removes dot segments
// and empty segments and then encodes the (already encoded) path a second time; S3 signs the
// path as sent, encoded once.
enum class PathRules { kNormalizeAndEncodeTwice, kS3 };

struct SigningParams {
  std::string region;   // "eu-west-1"
  std::string service;  // the signing name: "cloudformation", "ec2", "s3", …
  std::chrono::sys_seconds time;
  PathRules path_rules = PathRules::kNormalizeAndEncodeTwice;
  // Adds x-amz-content-sha256 (S3 requires it) and signs it.
  bool add_content_sha256_header = false;
  // The operation's authtype is v4-unsigned-body (EBS PutSnapshotBlock): the body is left out
  // of the signature, X-Amz-Content-SHA256: UNSIGNED-PAYLOAD signed in its place (botocore
  // auth.py; AWS computes it so over https://).
  bool unsigned_payload = false;
  // A few services (IoT) want X-Amz-Security-Token added after signing, unsigned.
  bool sign_session_token = true;
};

// Everything signing produced, for the request and for diagnosing a SignatureDoesNotMatch.
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the Authorization header's value
};

// "20150830T123600Z", the X-Amz-Date form of `time` (UTC).
std::string AmzDate(std::chrono::sys_seconds time);

// The canonical URI of `path` under `rules`; fails on a malformed percent-encoding.
Result<std::string> CanonicalUri(std::string_view path, PathRules rules);

// The canonical query string: parameters decoded, re-encoded with the SigV4 rules, sorted by
// name then value, a missing '=' giving an empty value.
Result<std::string> CanonicalQueryString(std::string_view query);

// The canonical request of `request` as it stands (its headers already carrying X-Amz-Date
// and whatever else is signed). Also gives the signed-header list through `signed_headers`.
Result<std::string> CanonicalRequest(const HttpRequest& request, PathRules rules,
                                     std::string* signed_headers);

// "20150830/us-east-1/iam/aws4_request".
std::string CredentialScope(std::chrono::sys_seconds time, std::string_view region,
                            std::string_view service);

// AWS4-HMAC-SHA256, the date, the scope and the hex SHA-256 of the canonical request.
std::string StringToSign(std::chrono::sys_seconds time, std::string_view scope,
                         std::string_view canonical_request);

// The HMAC-SHA256 chain "AWS4"+secret → date → region → service → "aws4_request".
std::array<unsigned char, 32> SigningKey(std::string_view secret_access_key,
                                         std::chrono::sys_seconds time, std::string_view region,
                                         std::string_view service);

// Lower-case hex SHA-256 of `data` (the payload hash).
std::string Sha256Hex(std::string_view data);

// Signs `request` in place: replaces any earlier X-Amz-Date, X-Amz-Security-Token,
// x-amz-content-sha256 and Authorization (so a retried request can be signed again), adds
// them for `params`, and returns what the signature was computed from.
Result<SigningResult> SignRequest(HttpRequest& request, const Credentials& credentials,
                                  const SigningParams& params);

}  // namespace i2kit::aws
