// Runs AWS's published SigV4 test suite (sigv4-vectors/, see its README): for every vector,
// the canonical request, the string to sign, the Authorization header and the headers of the
// signed request must match AWS's files byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws-client/sigv4.h"

namespace i2kit::aws {
namespace {

const std::filesystem::path kVectorDir =
    std::filesystem::path(I2KIT_SOURCE_DIR) / "tests/aws-client/sigv4-vectors";

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// request.txt: "METHOD PATH HTTP/1.1", header lines "Name:value" (indented lines continue the
// previous value), a blank line, the body. The path may contain spaces (get-space).
HttpRequest ParseVectorRequest(const std::string& text) {
  HttpRequest request;
  std::vector<std::string> lines = Lines(text);
  const std::string& first = lines.at(0);
  size_t method_end = first.find(' ');
  size_t target_end = first.rfind(" HTTP/1.1");
  request.method = first.substr(0, method_end);
  std::string target = first.substr(method_end + 1, target_end - method_end - 1);
  size_t question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) request.query = target.substr(question + 1);
  size_t i = 1;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    if (lines[i][0] == ' ' || lines[i][0] == '\t') {
      request.headers.back().value += "\n" + lines[i];
      continue;
    }
    size_t colon = lines[i].find(':');
    request.headers.push_back({lines[i].substr(0, colon), lines[i].substr(colon + 1)});
  }
  for (size_t body_line = i + 1; body_line < lines.size(); ++body_line) {
    if (body_line > i + 1) request.body += '\n';
    request.body += lines[body_line];
  }
  return request;
}

// The header lines of a signed request, sorted: the vectors and we may order them differently.
std::vector<std::string> SortedHeaderLines(const std::string& request_text) {
  std::vector<std::string> lines = Lines(request_text);
  std::vector<std::string> headers;
  for (size_t i = 1; i < lines.size() && !lines[i].empty(); ++i) headers.push_back(lines[i]);
  std::sort(headers.begin(), headers.end());
  return headers;
}

std::chrono::sys_seconds ParseTimestamp(const std::string& text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  EXPECT_EQ(
      std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%dZ", &year, &month, &day, &hour, &minute, &second),
      6)
      << text;
  std::chrono::sys_days date = std::chrono::year{year} / month / day;
  return date + std::chrono::hours{hour} + std::chrono::minutes{minute} +
         std::chrono::seconds{second};
}

std::vector<std::string> VectorNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kVectorDir)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class SigV4VectorTest : public testing::TestWithParam<std::string> {};

TEST_P(SigV4VectorTest, MatchesAwsByteForByte) {
  const std::filesystem::path dir = kVectorDir / GetParam();
  nlohmann::json context = nlohmann::json::parse(ReadFile(dir / "context.json"));
  Credentials credentials;
  credentials.access_key_id = context["credentials"]["access_key_id"];
  credentials.secret_access_key = context["credentials"]["secret_access_key"];
  credentials.session_token = context["credentials"].value("token", "");
  SigningParams params;
  params.region = context["region"];
  params.service = context["service"];
  params.time = ParseTimestamp(context["timestamp"]);
  // The suite's "normalize: false" vectors are the S3 rules: the path signed as sent.
  params.path_rules = context["normalize"] ? PathRules::kNormalizeAndEncodeTwice : PathRules::kS3;
  params.add_content_sha256_header = context["sign_body"];
  params.sign_session_token = !context.value("omit_session_token", false);
  HttpRequest request = ParseVectorRequest(ReadFile(dir / "request.txt"));

  Result<SigningResult> signed_parts = SignRequest(request, credentials, params);
  ASSERT_TRUE(signed_parts.ok()) << signed_parts.status().message();
  EXPECT_EQ(signed_parts->canonical_request, ReadFile(dir / "header-canonical-request.txt"));
  EXPECT_EQ(signed_parts->string_to_sign, ReadFile(dir / "header-string-to-sign.txt"));

  const std::string expected_request = ReadFile(dir / "header-signed-request.txt");
  std::string expected_authorization;
  for (const std::string& line : Lines(expected_request)) {
    if (line.starts_with("Authorization:")) expected_authorization = line.substr(14);
  }
  EXPECT_EQ(signed_parts->authorization, expected_authorization);

  std::string ours = request.method + " / HTTP/1.1\n";
  for (const HttpHeader& header : request.headers) ours += header.name + ":" + header.value + "\n";
  EXPECT_EQ(SortedHeaderLines(ours), SortedHeaderLines(expected_request));
}

std::string TestName(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(AwsSigV4TestSuite, SigV4VectorTest, testing::ValuesIn(VectorNames()),
                         TestName);

TEST(SigV4VectorSuiteTest, FindsEveryCopiedVector) {
  EXPECT_EQ(VectorNames().size(), 38u);
}

}  // namespace
}  // namespace i2kit::aws
