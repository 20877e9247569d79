#include "aws-client/ebs_api.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "aws-client/rest_json_protocol.h"
#include "aws-client/uri_encoding.h"
#include "common/base64.h"

namespace i2kit::aws {
namespace {

// botocore's model: PutSnapshotBlock is authtype v4-unsigned-body, and a snapshot StartSnapshot
// just made is briefly unknown to it (AWS's coldsnap retries each block for two minutes).
const CallTraits kPutSnapshotBlock{true, {"ResourceNotFoundException"}};
// CompleteSnapshot names the new snapshot too (first, when no block held data).
const CallTraits kCompleteSnapshot{false, {"ResourceNotFoundException"}};

}  // namespace

Sha256Digest Sha256Of(std::string_view data) {
  Sha256Digest digest;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return digest;
}

std::string LinearChecksum(const std::vector<Sha256Digest>& digests) {
  std::string concatenated;
  concatenated.reserve(digests.size() * sizeof(Sha256Digest));
  for (const Sha256Digest& d : digests) {
    concatenated.append(reinterpret_cast<const char*>(d.data()), d.size());
  }
  Sha256Digest aggregate = Sha256Of(concatenated);
  return Base64Encode({reinterpret_cast<const char*>(aggregate.data()), aggregate.size()});
}

EbsClient::EbsClient(const ClientContext& context)
    : context_(context), endpoint_(EndpointFor(context, "ebs")) {}

Result<nlohmann::json> EbsClient::Send(std::string_view action, std::string method,
                                       std::string path, std::vector<HttpHeader> headers,
                                       std::string body, const CallTraits& traits) {
  HttpRequest request;
  request.method = std::move(method);
  // The model's request URIs hang below the endpoint's own path (a stand-in's, a proxy's).
  std::string base = endpoint_.path;
  if (!base.empty() && base.back() == '/') base.pop_back();
  request.path = base + path;
  request.headers = {{"Host", endpoint_.HostHeader()}};
  request.headers.insert(request.headers.end(), headers.begin(), headers.end());
  request.body = std::move(body);
  nlohmann::json answer;
  Status sent = SendSigned(
      context_, endpoint_, "ebs", "ebs " + std::string(action), std::move(request),
      [&answer](const HttpResponse& response, AwsError& error) {
        Result<nlohmann::json> parsed = ParseRestJsonResponse(response, error);
        if (!parsed.ok()) return parsed.status();
        answer = std::move(parsed).value();
        return Status::Ok();
      },
      nullptr, traits);
  if (!sent.ok()) return sent;
  return answer;
}

Result<StartedSnapshot> EbsClient::StartSnapshot(const StartSnapshotRequest& request) {
  nlohmann::json body = {{"VolumeSize", request.volume_size_gib}};
  if (!request.description.empty()) body["Description"] = request.description;
  if (!request.client_token.empty()) body["ClientToken"] = request.client_token;
  for (const ResourceTag& tag : request.tags) {
    body["Tags"].push_back({{"Key", tag.key}, {"Value", tag.value}});
  }
  Result<nlohmann::json> answer = Send("StartSnapshot", "POST", "/snapshots",
                                       {{"Content-Type", "application/json"}}, body.dump());
  if (!answer.ok()) return answer.status();
  const char what[] = "ebs StartSnapshot";
  Result<std::string> id = StringMember(*answer, "SnapshotId", what);
  if (!id.ok()) return id.status();
  Result<int64_t> block_size = IntegerMember(*answer, "BlockSize", what);
  if (!block_size.ok()) return block_size.status();
  // Status is informational ("pending"); an answer without it still started the snapshot.
  Result<std::string> status = StringMember(*answer, "Status", what);
  StartedSnapshot started{*id, *block_size, status.ok() ? *status : ""};
  if (started.snapshot_id.empty()) {
    return Status::Error("ebs StartSnapshot: the answer has an empty SnapshotId");
  }
  if (started.block_size != static_cast<int64_t>(kSnapshotBlockSize)) {
    return Status::Error("ebs StartSnapshot: block size " + std::to_string(started.block_size) +
                         ", expected " + std::to_string(kSnapshotBlockSize));
  }
  return started;
}

Status EbsClient::PutSnapshotBlock(const std::string& snapshot_id, int64_t block_index,
                                   std::string_view data, const Sha256Digest& checksum) {
  std::string path =
      "/snapshots/" + UriEncode(snapshot_id) + "/blocks/" + std::to_string(block_index);
  Result<nlohmann::json> answer =
      Send("PutSnapshotBlock", "PUT", path,
           {{"Content-Type", "application/octet-stream"},
            {"x-amz-Data-Length", std::to_string(data.size())},
            {"x-amz-Checksum",
             Base64Encode({reinterpret_cast<const char*>(checksum.data()), checksum.size()})},
            {"x-amz-Checksum-Algorithm", "SHA256"}},
           std::string(data), kPutSnapshotBlock);
  if (!answer.ok()) {
    return answer.status().WithContext("block " + std::to_string(block_index));
  }
  return Status::Ok();
}

Result<std::string> EbsClient::CompleteSnapshot(const std::string& snapshot_id,
                                                int64_t changed_blocks,
                                                const std::string& linear_checksum) {
  Result<nlohmann::json> answer =
      Send("CompleteSnapshot", "POST", "/snapshots/completion/" + UriEncode(snapshot_id),
           {{"x-amz-ChangedBlocksCount", std::to_string(changed_blocks)},
            {"x-amz-Checksum", linear_checksum},
            {"x-amz-Checksum-Algorithm", "SHA256"},
            {"x-amz-Checksum-Aggregation-Method", "LINEAR"}},
           "", kCompleteSnapshot);
  if (!answer.ok()) return answer.status();
  return StringMember(*answer, "Status", "ebs CompleteSnapshot");
}

}  // namespace i2kit::aws
