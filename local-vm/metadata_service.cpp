#include "local-vm/metadata_service.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/pod_vm.h"
#include "image-builder/sha256.h"

namespace i2kit {
namespace {

constexpr int64_t kMaxTtlSeconds = 21600;  // EC2's limit: 6 hours

std::string Sign(std::string_view key, std::string_view text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &size);
  return HexEncode(mac, size);
}

// The value of header `name` (case-insensitive), if present.
std::optional<std::string> Header(std::string_view head, std::string_view name) {
  size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    size_t start = at + 2;
    size_t end = head.find("\r\n", start);
    std::string_view line =
        head.substr(start, end == std::string_view::npos ? head.npos : end - start);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && colon == name.size() &&
        std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      return std::string(value);
    }
    at = end;
  }
  return std::nullopt;
}

bool ValidToken(std::string_view token, std::string_view key, int64_t now) {
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) return false;
  int64_t expiry = 0;
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + dot, expiry);
  if (ec != std::errc() || ptr != token.data() + dot || expiry <= now) return false;
  std::string expected = Sign(key, token.substr(0, dot));
  std::string_view mac = token.substr(dot + 1);
  return mac.size() == expected.size() &&
         CRYPTO_memcmp(mac.data(), expected.data(), mac.size()) == 0;
}

}  // namespace

std::string MetadataResponse::Serialize() const {
  const char* reason = status == 200   ? "OK"
                       : status == 400 ? "Bad Request"
                       : status == 401 ? "Unauthorized"
                       : status == 403 ? "Forbidden"
                       : status == 404 ? "Not Found"
                       : status == 500 ? "Internal Server Error"
                                       : "Method Not Allowed";
  return "HTTP/1.0 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

std::string ExecKeyFor(std::string_view metadata_key) {
  return Sign(metadata_key, "i2kit exec key v1");
}

MetadataResponse HandleMetadataRequest(std::string_view request, const InstanceIdentity& identity,
                                       std::string_view key, int64_t now_unix,
                                       const std::function<std::string()>& directory,
                                       const std::function<Result<std::string>()>& secrets) {
  size_t line_end = request.find("\r\n");
  std::string_view line = request.substr(0, line_end);
  size_t space = line.find(' ');
  size_t space2 = space == std::string_view::npos ? space : line.find(' ', space + 1);
  if (space == std::string_view::npos || space2 == std::string_view::npos)
    return {400, "bad request\n"};
  std::string_view method = line.substr(0, space);
  std::string_view path = line.substr(space + 1, space2 - space - 1);
  // EC2 refuses token requests that went through a proxy.
  if (Header(request, "X-Forwarded-For")) return {403, "forwarded requests are refused\n"};

  if (path == "/latest/api/token") {
    if (method != "PUT") return {405, "use PUT\n"};
    std::optional<std::string> ttl_text = Header(request, "X-aws-ec2-metadata-token-ttl-seconds");
    int64_t ttl = 0;
    if (!ttl_text ||
        std::from_chars(ttl_text->data(), ttl_text->data() + ttl_text->size(), ttl).ec !=
            std::errc() ||
        ttl < 1 || ttl > kMaxTtlSeconds) {
      return {400, "X-aws-ec2-metadata-token-ttl-seconds must be 1-21600\n"};
    }
    std::string expiry = std::to_string(now_unix + ttl);
    return {200, expiry + "." + Sign(key, expiry)};
  }
  if (method != "GET") return {405, "use GET\n"};
  std::optional<std::string> token = Header(request, "X-aws-ec2-metadata-token");
  if (!token || !ValidToken(*token, key, now_unix)) return {401, ""};

  if (path == "/latest/meta-data/instance-id") return {200, identity.instance_id};
  if (path == "/latest/meta-data/placement/region") return {200, identity.region};
  if (path == "/latest/meta-data/placement/availability-zone") {
    return {200, identity.availability_zone};
  }
  if (path == "/latest/meta-data/local-ipv4") return {200, identity.local_ipv4};
  if (path == "/latest/user-data") {
    if (identity.user_data.empty()) return {404, ""};
    return {200, identity.user_data};
  }
  if (path == "/latest/dynamic/instance-identity/document") {
    nlohmann::ordered_json document = {{"instanceId", identity.instance_id},
                                       {"region", identity.region},
                                       {"availabilityZone", identity.availability_zone},
                                       {"privateIp", identity.local_ipv4}};
    return {200, document.dump(2)};
  }
  if (path == pod_vm::kServiceDirectoryPath) return {200, directory()};
  if (path == pod_vm::kExecKeyPath) return {200, ExecKeyFor(key)};
  if (path == pod_vm::kPodSecretsPath) {
    if (!secrets) return {404, ""};
    Result<std::string> json = secrets();
    if (!json.ok()) return {500, json.status().message() + "\n"};
    return {200, *json};
  }
  return {404, ""};
}

}  // namespace i2kit
