#include "aws-client/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <utility>

#include "aws-client/uri_encoding.h"

namespace i2kit::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string LowerHex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    hex += kHex[data[i] >> 4];
    hex += kHex[data[i] & 0xF];
  }
  return hex;
}

std::string ToLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Trims the value and collapses each run of whitespace (obsolete line folding included) to
// one space, as the canonical headers require.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string canonical;
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !canonical.empty();
      continue;
    }
    if (pending_space) canonical += ' ';
    pending_space = false;
    canonical += c;
  }
  return canonical;
}

// Headers a proxy or the HTTP layer may rewrite after signing; the SDKs leave them unsigned.
bool IsUnsignedHeader(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "user-agent" ||
         lower_name == "x-amzn-trace-id" || lower_name == "expect";
}

std::array<unsigned char, 32> HmacSha256(const void* key, size_t key_size, std::string_view data) {
  std::array<unsigned char, 32> mac{};
  unsigned int mac_size = 0;
  // HMAC() fails only when OpenSSL cannot allocate; the zero key then yields a signature AWS
  // rejects with SignatureDoesNotMatch rather than a crash here.
  HMAC(EVP_sha256(), key, static_cast<int>(key_size),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &mac_size);
  return mac;
}

std::string DateStamp(std::chrono::sys_seconds time) {
  return AmzDate(time).substr(0, 8);
}

std::string NormalizedPath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::string_view last;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    last = segment;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string normalized;
  for (std::string_view segment : segments) {
    normalized += '/';
    normalized += segment;
  }
  // RFC 3986 remove_dot_segments: a path ending in "/", "/." or "/.." names a directory.
  if (segments.empty() || last.empty() || last == "." || last == "..") normalized += '/';
  return normalized;
}

void RemoveHeader(std::vector<HttpHeader>& headers, std::string_view lower_name) {
  std::erase_if(headers,
                [&](const HttpHeader& header) { return ToLower(header.name) == lower_name; });
}

const HttpHeader* FindHeader(const std::vector<HttpHeader>& headers, std::string_view lower_name) {
  for (const HttpHeader& header : headers) {
    if (ToLower(header.name) == lower_name) return &header;
  }
  return nullptr;
}

}  // namespace

std::string AmzDate(std::chrono::sys_seconds time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[sizeof("20150830T123600Z")];
  std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return LowerHex(digest, sizeof(digest));
}

Result<std::string> CanonicalUri(std::string_view path, PathRules rules) {
  if (path.empty()) return std::string("/");
  if (rules == PathRules::kS3) {
    Result<std::string> decoded = PercentDecode(path);
    if (!decoded.ok()) return decoded.status().WithContext("request path");
    return UriEncode(*decoded, /*keep_slashes=*/true);
  }
  return UriEncode(NormalizedPath(path), /*keep_slashes=*/true);
}

Result<std::string> CanonicalQueryString(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> parameters;
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view parameter = query.substr(start, end - start);
    start = end + 1;
    if (parameter.empty()) continue;
    size_t equals = parameter.find('=');
    std::string_view name = parameter.substr(0, equals);
    std::string_view value =
        equals == std::string_view::npos ? std::string_view() : parameter.substr(equals + 1);
    Result<std::string> decoded_name = PercentDecode(name);
    if (!decoded_name.ok()) return decoded_name.status().WithContext("query string");
    Result<std::string> decoded_value = PercentDecode(value);
    if (!decoded_value.ok()) return decoded_value.status().WithContext("query string");
    parameters.emplace_back(UriEncode(*decoded_name), UriEncode(*decoded_value));
  }
  std::sort(parameters.begin(), parameters.end());
  std::string canonical;
  for (const auto& [name, value] : parameters) {
    if (!canonical.empty()) canonical += '&';
    canonical += name;
    canonical += '=';
    canonical += value;
  }
  return canonical;
}

Result<std::string> CanonicalRequest(const HttpRequest& request, PathRules rules,
                                     std::string* signed_headers) {
  Result<std::string> uri = CanonicalUri(request.path, rules);
  if (!uri.ok()) return uri.status();
  Result<std::string> query = CanonicalQueryString(request.query);
  if (!query.ok()) return query.status();

  // Repeated headers sign as one, their values joined by commas in the order they came.
  std::map<std::string, std::string> headers;
  for (const HttpHeader& header : request.headers) {
    std::string name = ToLower(CanonicalHeaderValue(header.name));
    if (name.empty()) return Status::Error("request has a header with an empty name");
    if (IsUnsignedHeader(name)) continue;
    auto [it, inserted] = headers.try_emplace(name, CanonicalHeaderValue(header.value));
    if (!inserted) it->second += "," + CanonicalHeaderValue(header.value);
  }
  if (!headers.contains("host")) return Status::Error("request has no Host header to sign");

  std::string canonical = request.method + "\n" + *uri + "\n" + *query + "\n";
  std::string names;
  for (const auto& [name, value] : headers) {
    canonical += name + ":" + value + "\n";
    if (!names.empty()) names += ';';
    names += name;
  }
  canonical += "\n" + names + "\n";
  const HttpHeader* content_sha256 = FindHeader(request.headers, "x-amz-content-sha256");
  canonical += content_sha256 ? content_sha256->value : Sha256Hex(request.body);
  if (signed_headers) *signed_headers = std::move(names);
  return canonical;
}

std::string CredentialScope(std::chrono::sys_seconds time, std::string_view region,
                            std::string_view service) {
  return DateStamp(time) + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
}

std::string StringToSign(std::chrono::sys_seconds time, std::string_view scope,
                         std::string_view canonical_request) {
  return std::string(kAlgorithm) + "\n" + AmzDate(time) + "\n" + std::string(scope) + "\n" +
         Sha256Hex(canonical_request);
}

std::array<unsigned char, 32> SigningKey(std::string_view secret_access_key,
                                         std::chrono::sys_seconds time, std::string_view region,
                                         std::string_view service) {
  std::string secret = "AWS4" + std::string(secret_access_key);
  auto date_key = HmacSha256(secret.data(), secret.size(), DateStamp(time));
  auto region_key = HmacSha256(date_key.data(), date_key.size(), region);
  auto service_key = HmacSha256(region_key.data(), region_key.size(), service);
  return HmacSha256(service_key.data(), service_key.size(), "aws4_request");
}

Result<SigningResult> SignRequest(HttpRequest& request, const Credentials& credentials,
                                  const SigningParams& params) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::Error("cannot sign: the credentials lack an access key id or a secret");
  }
  if (params.region.empty() || params.service.empty()) {
    return Status::Error("cannot sign: no region or service given");
  }
  RemoveHeader(request.headers, "authorization");
  RemoveHeader(request.headers, "x-amz-date");
  RemoveHeader(request.headers, "x-amz-security-token");
  request.headers.push_back({"X-Amz-Date", AmzDate(params.time)});
  bool has_token = !credentials.session_token.empty();
  if (has_token && params.sign_session_token) {
    request.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  }
  if (params.add_content_sha256_header || params.unsigned_payload) {
    RemoveHeader(request.headers, "x-amz-content-sha256");
    // botocore's spellings: S3's header lower-case, the unsigned payload's capitalized.
    if (params.unsigned_payload) {
      request.headers.push_back({"X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"});
    } else {
      request.headers.push_back({"x-amz-content-sha256", Sha256Hex(request.body)});
    }
  }

  SigningResult result;
  std::string signed_headers;
  Result<std::string> canonical = CanonicalRequest(request, params.path_rules, &signed_headers);
  if (!canonical.ok()) return canonical.status().WithContext("signing request");
  result.canonical_request = std::move(canonical).value();
  std::string scope = CredentialScope(params.time, params.region, params.service);
  result.string_to_sign = StringToSign(params.time, scope, result.canonical_request);
  auto key = SigningKey(credentials.secret_access_key, params.time, params.region, params.service);
  auto signature = HmacSha256(key.data(), key.size(), result.string_to_sign);
  result.signature = LowerHex(signature.data(), signature.size());
  result.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id +
                         "/" + scope + ", SignedHeaders=" + signed_headers +
                         ", Signature=" + result.signature;

  if (has_token && !params.sign_session_token) {
    request.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  }
  request.headers.push_back({"Authorization", result.authorization});
  return result;
}

}  // namespace i2kit::aws
