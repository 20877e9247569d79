#include "aws-client/signed_call.h"

#include <algorithm>
#include <cstdio>
#include <thread>

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

int ConsistencyWait::Attempts() const {
  auto step = std::max<std::chrono::milliseconds>(interval, std::chrono::seconds(1));
  return std::max<int>(1, static_cast<int>(patience / step));
}

std::chrono::sys_seconds SystemNow() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

void SleepFor(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

ServiceEndpoint EndpointFor(const ClientContext& context, std::string_view prefix) {
  return context.endpoint_override ? *context.endpoint_override
                                   : RegionalEndpoint(prefix, context.region);
}

Status SendSigned(const ClientContext& context, const ServiceEndpoint& endpoint,
                  std::string_view signing_name, std::string_view what, HttpRequest request,
                  const ResponseReader& read, AwsError* error, const CallTraits& traits) {
  SigningParams signing{context.region, std::string(signing_name), {}};
  signing.unsigned_payload = traits.unsigned_payload;
  if (traits.s3_signing) {
    signing.path_rules = PathRules::kS3;
    signing.add_content_sha256_header = true;
  }
  RetryState state;
  bool clock_corrected = false;
  int not_yet_known = 0;  // answers saying a new resource is not known yet
  for (;;) {
    std::chrono::sys_seconds local_now = context.now();
    signing.time =
        local_now + (context.clock_skew ? context.clock_skew->offset() : std::chrono::seconds(0));
    Result<SigningResult> signed_request = SignRequest(request, context.credentials, signing);
    if (!signed_request.ok()) return signed_request.status().WithContext(what);
    HttpExchange exchange = context.transport->Send(endpoint, request);

    AttemptOutcome outcome{!exchange.response && !exchange.timed_out, exchange.timed_out, 0, ""};
    AwsError aws_error;
    std::string failure;
    if (exchange.response) {
      outcome.http_status = exchange.response->status;
      Status accepted = read(*exchange.response, aws_error);
      if (accepted.ok()) {
        context.retry_policy->RecordSuccess(state);
        return accepted;
      }
      outcome.error_code = aws_error.code;
      failure = accepted.message();
      std::optional<std::chrono::seconds> correction =
          ClockCorrection(*exchange.response, aws_error.code, signing.time);
      if (correction && context.clock_skew && !clock_corrected) {
        clock_corrected = true;
        // AWS's time less this clock's, not added to the offset now in use: upload threads
        // refused at once all set the same correction.
        context.clock_skew->Set(signing.time - local_now + *correction);
        if (context.notice) {
          context.notice(std::string(what) + ": " + aws_error.code + ": this clock is " +
                         std::to_string(std::chrono::abs(*correction).count()) + " s " +
                         (*correction > std::chrono::seconds(0) ? "behind" : "ahead of") +
                         " AWS's; signing again with AWS's time");
        }
        continue;
      }
      bool unknown = std::find(traits.not_yet_known.begin(), traits.not_yet_known.end(),
                               aws_error.code) != traits.not_yet_known.end();
      if (unknown && ++not_yet_known < context.consistency.Attempts()) {
        if (context.notice && not_yet_known == 1) {
          context.notice(std::string(what) + ": " + aws_error.code +
                         " (a new resource AWS does not know everywhere yet); retrying every " +
                         Readable(context.consistency.interval) + " for up to " +
                         Readable(context.consistency.patience));
        }
        context.sleep(context.consistency.interval);
        continue;
      }
    } else {
      failure = (exchange.timed_out ? "no answer from " : "cannot reach ") + endpoint.Url() + ": " +
                exchange.error;
    }
    std::optional<std::chrono::milliseconds> delay =
        context.retry_policy->RetryAfter(state, outcome);
    if (!delay) {
      if (error) *error = std::move(aws_error);
      std::string attempts = state.failed_attempts > 1
                                 ? " (after " + std::to_string(state.failed_attempts) + " attempts)"
                                 : "";
      return Status::Error(std::string(what) + ": " + failure + attempts);
    }
    if (context.notice) {
      context.notice(std::string(what) + ": " +
                     (aws_error.code.empty() ? failure : aws_error.code) + "; retrying in " +
                     Readable(*delay));
    }
    context.sleep(*delay);
  }
}

}  // namespace i2kit::aws
