// The S3 calls deploy makes to keep a template CloudFormation takes only from S3 (REST-XML,
// model s3 2006-03-01): a bucket of i2kit's own, made private, encrypted and self-emptying on
// first use, and an object in it. Every call but CreateBucket names the account that must own
// the bucket (x-amz-expected-bucket-owner): bucket names are global, and a bucket of that name
// in someone else's account is refused (403), never written to.
#pragma once

#include <string>

#include "aws-client/signed_call.h"

namespace i2kit::aws {

// https://BUCKET.s3.REGION.amazonaws.com/KEY (.amazonaws.com.cn in China): the object's URL
// as CloudFormation's TemplateURL takes it. `key` is sent as is: keep it to [A-Za-z0-9/._-].
std::string S3ObjectUrl(const std::string& bucket, const std::string& region,
                        const std::string& key);

class S3Client {
 public:
  // Copies `context`. Requests go to BUCKET.s3.REGION.amazonaws.com (virtual-hosted style), or
  // with an endpoint override to ENDPOINT/BUCKET/... (path style, as a stand-in serves them).
  explicit S3Client(const ClientContext& context);

  // HeadBucket: true when `bucket` exists and `owner` (an account ID) owns it, false when it
  // does not exist (404); 403 is an error saying another account may own the name.
  Result<bool> BucketExists(const std::string& bucket, const std::string& owner);
  // CreateBucket in the session's region; a bucket this account already owns is no error.
  Status CreateBucket(const std::string& bucket);
  // Blocks every kind of public access (PutPublicAccessBlock, all four settings).
  Status BlockPublicAccess(const std::string& bucket, const std::string& owner);
  // Encrypts new objects with S3-managed keys, SSE-S3 (PutBucketEncryption).
  Status EncryptByDefault(const std::string& bucket, const std::string& owner);
  // Deletes every object `days` days after it was written (PutBucketLifecycleConfiguration).
  Status ExpireObjectsAfter(const std::string& bucket, const std::string& owner, int days);
  // PutObject of `body` at `key`.
  Status PutObject(const std::string& bucket, const std::string& key, const std::string& body,
                   const std::string& content_type, const std::string& owner);

 private:
  // Sends `method` on `key` ("" for the bucket) with `query` ("encryption"), a body and its
  // Content-MD5 when it has one, as operation `what`; 2xx is Ok, else AWS's error.
  Status Send(const std::string& what, const std::string& method, const std::string& bucket,
              const std::string& key, const std::string& query, const std::string& body,
              std::vector<HttpHeader> headers, AwsError* error = nullptr);

  ClientContext context_;
};

}  // namespace i2kit::aws
