#include "aws-deploy/template_bucket.h"

#include "aws-client/s3_api.h"
#include "aws-client/sigv4.h"
#include "aws-client/sts_api.h"

namespace i2kit {

std::string TemplateBucketName(const std::string& account, const std::string& region) {
  return "i2kit-templates-" + account + "-" + region;
}

std::string TemplateObjectKey(const std::string& stack_name, const std::string& body) {
  return stack_name + "/" + aws::Sha256Hex(body) + ".json";
}

Result<std::string> StageTemplate(const aws::ClientContext& context, const std::string& stack_name,
                                  const std::string& body, EventLog& log) {
  Result<std::string> account = aws::CallerAccount(context);
  if (!account.ok()) return account.status();
  std::string bucket = TemplateBucketName(*account, context.region);
  aws::S3Client s3(context);
  Result<bool> exists = s3.BucketExists(bucket, *account);
  if (!exists.ok()) return exists.status();
  if (!*exists) {
    log.Event("creating bucket " + bucket + " for templates past " +
              std::to_string(kMaxTemplateBodyBytes) + " bytes (private, encrypted, objects " +
              "deleted after " + std::to_string(kTemplateObjectDays) + " days)");
    Status created = s3.CreateBucket(bucket);
    if (!created.ok()) return created;
  }
  // Set again on every use: a run stopped between creating the bucket and setting it up must
  // not leave it open or unencrypted for good.
  Status set = s3.BlockPublicAccess(bucket, *account);
  if (set.ok()) set = s3.EncryptByDefault(bucket, *account);
  if (set.ok()) set = s3.ExpireObjectsAfter(bucket, *account, kTemplateObjectDays);
  if (!set.ok()) return set;
  std::string key = TemplateObjectKey(stack_name, body);
  Status put = s3.PutObject(bucket, key, body, "application/json", *account);
  if (!put.ok()) return put;
  log.Event("template of " + std::to_string(body.size()) + " bytes (more than CloudFormation's " +
            std::to_string(kMaxTemplateBodyBytes) + " inline) is in s3://" + bucket + "/" + key);
  return aws::S3ObjectUrl(bucket, context.region, key);
}

}  // namespace i2kit
