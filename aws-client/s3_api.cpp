#include "aws-client/s3_api.h"

#include <openssl/evp.h>

#include "aws-client/ebs_api.h"
#include "aws-client/uri_encoding.h"
#include "common/base64.h"

namespace i2kit::aws {
namespace {

constexpr char kNamespace[] = "http://s3.amazonaws.com/doc/2006-03-01/";

std::string Domain(const std::string& region) {
  return region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

// Content-MD5: S3 refuses PutPublicAccessBlock, PutBucketEncryption and
// PutBucketLifecycleConfiguration without a checksum of their body (httpChecksum
// requestChecksumRequired in the model).
std::string ContentMd5(const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(body.data(), body.size(), digest, &size, EVP_md5(), nullptr);
  return Base64Encode({reinterpret_cast<const char*>(digest), size});
}

std::string Element(const std::string& name, const std::string& content) {
  return "<" + name + ">" + content + "</" + name + ">";
}

std::string Document(const std::string& root, const std::string& content) {
  return "<" + root + " xmlns=\"" + kNamespace + "\">" + content + "</" + root + ">";
}

}  // namespace

std::string S3ObjectUrl(const std::string& bucket, const std::string& region,
                        const std::string& key) {
  return "https://" + bucket + ".s3." + region + "." + Domain(region) + "/" + key;
}

S3Client::S3Client(const ClientContext& context) : context_(context) {}

Status S3Client::Send(const std::string& what, const std::string& method, const std::string& bucket,
                      const std::string& key, const std::string& query, const std::string& body,
                      std::vector<HttpHeader> headers, AwsError* error) {
  ServiceEndpoint endpoint;
  HttpRequest request;
  request.method = method;
  request.query = query;
  std::string object = key.empty() ? "" : "/" + UriEncode(key, /*keep_slashes=*/true);
  if (context_.endpoint_override) {
    endpoint = *context_.endpoint_override;
    std::string base = endpoint.path;
    if (!base.empty() && base.back() == '/') base.pop_back();
    request.path = base + "/" + bucket + object;
  } else {
    endpoint = ServiceEndpoint{
        true, bucket + ".s3." + context_.region + "." + Domain(context_.region), 443, "/"};
    request.path = object.empty() ? "/" : object;
  }
  headers.insert(headers.begin(), {"Host", endpoint.HostHeader()});
  if (!body.empty()) headers.push_back({"Content-MD5", ContentMd5(body)});
  request.headers = std::move(headers);
  request.body = body;
  auto read = [&](const HttpResponse& response, AwsError& aws_error) {
    if (response.status >= 200 && response.status < 300) return Status::Ok();
    Result<XmlDocument> document = ParseQueryResponse(response.status, response.body, &aws_error);
    return document.ok() ? Status::Error("unexpected HTTP " + std::to_string(response.status))
                         : document.status();
  };
  CallTraits traits;
  traits.s3_signing = true;
  return SendSigned(context_, endpoint, "s3", "s3 " + what, std::move(request), read, error,
                    traits);
}

Result<bool> S3Client::BucketExists(const std::string& bucket, const std::string& owner) {
  AwsError error;
  Status sent = Send("HeadBucket", "HEAD", bucket, "", "", "",
                     {{"x-amz-expected-bucket-owner", owner}}, &error);
  if (sent.ok()) return true;
  // A HEAD answer has no body: its status is all there is.
  if (error.http_status == 404) return false;
  if (error.http_status == 403) {
    return Status::Error("s3 HeadBucket: bucket " + bucket + " is not this account's (" + owner +
                         ") or this identity may not list it (s3:ListBucket): HTTP 403");
  }
  return sent;
}

Status S3Client::CreateBucket(const std::string& bucket) {
  std::string body;
  // us-east-1 is S3's default location and takes no LocationConstraint (it refuses one).
  if (context_.region != "us-east-1") {
    body = Document("CreateBucketConfiguration", Element("LocationConstraint", context_.region));
  }
  AwsError error;
  // No x-amz-object-ownership: BucketOwnerEnforced (ACLs off) is what a new bucket gets, and
  // naming it would need s3:PutBucketOwnershipControls too.
  Status sent = Send("CreateBucket", "PUT", bucket, "", "", body, {}, &error);
  if (!sent.ok() && error.code == "BucketAlreadyOwnedByYou") return Status::Ok();
  return sent;
}

Status S3Client::BlockPublicAccess(const std::string& bucket, const std::string& owner) {
  std::string body =
      Document("PublicAccessBlockConfiguration",
               Element("BlockPublicAcls", "true") + Element("IgnorePublicAcls", "true") +
                   Element("BlockPublicPolicy", "true") + Element("RestrictPublicBuckets", "true"));
  return Send("PutPublicAccessBlock", "PUT", bucket, "", "publicAccessBlock", body,
              {{"x-amz-expected-bucket-owner", owner}});
}

Status S3Client::EncryptByDefault(const std::string& bucket, const std::string& owner) {
  std::string body = Document("ServerSideEncryptionConfiguration",
                              Element("Rule", Element("ApplyServerSideEncryptionByDefault",
                                                      Element("SSEAlgorithm", "AES256"))));
  return Send("PutBucketEncryption", "PUT", bucket, "", "encryption", body,
              {{"x-amz-expected-bucket-owner", owner}});
}

Status S3Client::ExpireObjectsAfter(const std::string& bucket, const std::string& owner, int days) {
  std::string rule = Element("ID", "i2kit-expire-objects") +
                     Element("Filter", Element("Prefix", "")) + Element("Status", "Enabled") +
                     Element("Expiration", Element("Days", std::to_string(days)));
  std::string body = Document("LifecycleConfiguration", Element("Rule", rule));
  return Send("PutBucketLifecycleConfiguration", "PUT", bucket, "", "lifecycle", body,
              {{"x-amz-expected-bucket-owner", owner}});
}

Status S3Client::PutObject(const std::string& bucket, const std::string& key,
                           const std::string& body, const std::string& content_type,
                           const std::string& owner) {
  return Send("PutObject", "PUT", bucket, key, "", body,
              {{"Content-Type", content_type}, {"x-amz-expected-bucket-owner", owner}});
}

}  // namespace i2kit::aws
