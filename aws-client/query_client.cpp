#include "aws-client/query_client.h"

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

std::chrono::sys_seconds SystemNow() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

void SleepFor(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

QueryClient::QueryClient(QueryApi api, const ClientContext& context)
    : api_(api),
      context_(context),
      endpoint_(context.endpoint_override
                    ? *context.endpoint_override
                    : RegionalEndpoint(api.endpoint_prefix, context.region)) {}

Result<XmlDocument> QueryClient::Call(std::string_view action, const QueryParameters& parameters,
                                      AwsError* error) {
  std::string what = std::string(api_.endpoint_prefix) + " " + std::string(action);
  HttpRequest request;
  request.method = "POST";
  request.path = endpoint_.path;
  request.headers = {{"Host", endpoint_.HostHeader()},
                     {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = EncodeQueryBody(action, api_.version, parameters);
  SigningParams signing{context_.region, std::string(api_.signing_name), {}};

  RetryState state;
  for (;;) {
    signing.time = context_.now();
    Result<SigningResult> signed_request = SignRequest(request, context_.credentials, signing);
    if (!signed_request.ok()) return signed_request.status().WithContext(what);
    HttpExchange exchange = context_.transport->Send(endpoint_, request);

    AttemptOutcome outcome{!exchange.response && !exchange.timed_out, exchange.timed_out, 0, ""};
    AwsError aws_error;
    std::string failure;
    if (exchange.response) {
      outcome.http_status = exchange.response->status;
      Result<XmlDocument> document =
          ParseQueryResponse(exchange.response->status, exchange.response->body, &aws_error);
      if (document.ok()) {
        context_.retry_policy->RecordSuccess(state);
        return document;
      }
      outcome.error_code = aws_error.code;
      failure = document.status().message();
    } else {
      failure = (exchange.timed_out ? "no answer from " : "cannot reach ") + endpoint_.Url() +
                ": " + exchange.error;
    }
    std::optional<std::chrono::milliseconds> delay =
        context_.retry_policy->RetryAfter(state, outcome);
    if (!delay) {
      if (error) *error = std::move(aws_error);
      std::string attempts = state.failed_attempts > 1
                                 ? " (after " + std::to_string(state.failed_attempts) + " attempts)"
                                 : "";
      return Status::Error(what + ": " + failure + attempts);
    }
    if (context_.notice) {
      context_.notice(what + ": " + (aws_error.code.empty() ? failure : aws_error.code) +
                      "; retrying in " + Readable(*delay));
    }
    context_.sleep(*delay);
  }
}

}  // namespace i2kit::aws
