// What the aws-client suites share: a transport that answers from a script and keeps what it
// was sent, and a client context on it whose clock and sleep the test controls.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "aws-client/signed_call.h"

namespace i2kit::aws {

class ScriptedTransport : public HttpTransport {
 public:
  std::deque<HttpExchange> answers;
  std::vector<HttpRequest> sent;
  std::vector<std::string> urls;

  HttpExchange Send(const ServiceEndpoint& endpoint, const HttpRequest& request) override {
    sent.push_back(request);
    urls.push_back(endpoint.Url());
    if (answers.empty()) return HttpExchange{std::nullopt, false, "the script has no answer left"};
    HttpExchange next = answers.front();
    answers.pop_front();
    return next;
  }
};

inline HttpExchange Answer(int status, std::string body, std::vector<HttpHeader> headers = {}) {
  return HttpExchange{HttpResponse{status, std::move(headers), std::move(body)}, false, ""};
}

inline std::string Header(const HttpRequest& request, const std::string& name) {
  for (const HttpHeader& h : request.headers) {
    if (h.name == name) return h.value;
  }
  return "";
}

// A context on a ScriptedTransport in eu-west-1, at 2026-11-23T00:00:00Z; each sleep is
// recorded and moves the clock one second.
class ScriptedContextTest : public ::testing::Test {
 protected:
  ScriptedContextTest() : policy_(RetryOptions{}, [] { return 0.5; }) {
    context_.credentials = {"AKIDEXAMPLE", "secret", "", std::nullopt};
    context_.region = "eu-west-1";
    context_.transport = &transport_;
    context_.retry_policy = &policy_;
    context_.now = [this] { return clock_; };
    context_.sleep = [this](std::chrono::milliseconds d) {
      slept_.push_back(d);
      clock_ += std::chrono::seconds(1);
    };
    context_.notice = [this](const std::string& line) { notices_.push_back(line); };
  }

  ScriptedTransport transport_;
  RetryPolicy policy_;
  ClientContext context_;
  std::chrono::sys_seconds clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 23}};
  std::vector<std::chrono::milliseconds> slept_;
  std::vector<std::string> notices_;
};

}  // namespace i2kit::aws
