// Where deploy and diff keep a template too large for CloudFormation's request: CloudFormation
// takes at most 51,200 bytes in TemplateBody, and up to 1,000,000 from S3 (TemplateURL). The
// template goes to the account's i2kit bucket in the region, i2kit-templates-ACCOUNT-REGION:
// its name derived, so every run finds it; made on first use with public access blocked,
// encryption by default (SSE-S3) and objects expiring after kTemplateObjectDays (CloudFormation
// keeps its own copy of a stack's template, so the object serves only the request).
#pragma once

#include <cstddef>
#include <string>

#include "aws-client/signed_call.h"
#include "common/event_log.h"

namespace i2kit {

inline constexpr size_t kMaxTemplateBodyBytes = 51'200;
inline constexpr size_t kMaxTemplateUrlBytes = 1'000'000;
inline constexpr int kTemplateObjectDays = 7;

// "i2kit-templates-123456789012-eu-west-1" (at most 63 characters, as S3 requires).
std::string TemplateBucketName(const std::string& account, const std::string& region);

// "STACK/SHA256.json": one object per stack and template content, so a deploy of the same
// template writes the same object again.
std::string TemplateObjectKey(const std::string& stack_name, const std::string& body);

// Puts `body`, the template of stack `stack_name`, in the account's template bucket (made and
// configured first when missing, and its settings set again otherwise) and returns its
// TemplateURL. Tells `log` where it went.
Result<std::string> StageTemplate(const aws::ClientContext& context, const std::string& stack_name,
                                  const std::string& body, EventLog& log);

}  // namespace i2kit
