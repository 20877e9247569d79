#include "aws-client/signed_call.h"

#include <cstdio>

namespace i2kit::aws {
namespace {

// "40 ms", "1.3 s": a back-off as an operator reads it.
std::string Readable(std::chrono::milliseconds duration) {
  if (duration < std::chrono::seconds(1)) return std::to_string(duration.count()) + " ms";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(duration.count()) / 1000.0);
  return text;
}

}  // namespace

Result<HttpResponse> SendSigned(const ClientContext& context, const ServiceEndpoint& endpoint,
                                std::string_view signing_name, std::string_view what_view,
                                HttpRequest request, const ResponseCheck& check,
                                AwsError* error) {
  std::string what(what_view);
  SigningParams signing{context.region, std::string(signing_name), {}};
  RetryState state;
  for (;;) {
    signing.time = context.now();
    Result<SigningResult> signed_request = SignRequest(request, context.credentials, signing);
    if (!signed_request.ok()) return signed_request.status().WithContext(what);
    HttpExchange exchange = context.transport->Send(endpoint, request);

    AttemptOutcome outcome{!exchange.response && !exchange.timed_out, exchange.timed_out, 0, ""};
    AwsError aws_error;
    std::string failure;
    if (exchange.response) {
      outcome.http_status = exchange.response->status;
      Status accepted = check(*exchange.response, &aws_error);
      if (accepted.ok()) {
        context.retry_policy->RecordSuccess(state);
        return std::move(*exchange.response);
      }
      outcome.error_code = aws_error.code;
      failure = accepted.message();
    } else {
      failure = (exchange.timed_out ? "no answer from " : "cannot reach ") + endpoint.Url() +
                ": " + exchange.error;
    }
    std::optional<std::chrono::milliseconds> delay =
        context.retry_policy->RetryAfter(state, outcome);
    if (!delay) {
      if (error) *error = std::move(aws_error);
      std::string attempts = state.failed_attempts > 1
                                 ? " (after " + std::to_string(state.failed_attempts) + " attempts)"
                                 : "";
      return Status::Error(what + ": " + failure + attempts);
    }
    if (context.notice) {
      context.notice(what + ": " + (aws_error.code.empty() ? failure : aws_error.code) +
                     "; retrying in " + Readable(*delay));
    }
    context.sleep(*delay);
  }
}

}  // namespace i2kit::aws
