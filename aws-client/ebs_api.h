// The EBS direct APIs that write a snapshot from outside EC2 (botocore model ebs 2019-11-02,
// REST-JSON, signing name "ebs"): StartSnapshot, PutSnapshotBlock for each 512 KiB block that
// holds data, CompleteSnapshot with the LINEAR aggregate of the blocks' SHA-256 checksums.
// https://docs.aws.amazon.com/ebs/latest/userguide/writesnapshots.html
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aws-client/resource_tag.h"
#include "aws-client/signed_call.h"

namespace i2kit::aws {

// The only block size the EBS direct APIs take.
inline constexpr size_t kSnapshotBlockSize = 512 * 1024;

using Sha256Digest = std::array<unsigned char, 32>;

// The SHA-256 of `data`.
Sha256Digest Sha256Of(std::string_view data);

// The LINEAR aggregated checksum: base64 SHA-256 of the blocks' SHA-256 digests concatenated
// in ascending block index order (`digests` must be in that order).
std::string LinearChecksum(const std::vector<Sha256Digest>& digests);

struct StartSnapshotRequest {
  int64_t volume_size_gib = 1;
  std::string description;
  std::vector<ResourceTag> tags;
  std::string client_token;  // idempotency: a retried start returns the same snapshot
};

struct StartedSnapshot {
  std::string snapshot_id;
  int64_t block_size = 0;
  std::string status;  // "pending"
};

class EbsClient {
 public:
  explicit EbsClient(const ClientContext& context);

  Result<StartedSnapshot> StartSnapshot(const StartSnapshotRequest& request);

  // Writes block `block_index` (`data` is kSnapshotBlockSize bytes) with its SHA-256 checksum,
  // the body unsigned as its authtype says; waits out a snapshot not known yet.
  Status PutSnapshotBlock(const std::string& snapshot_id, int64_t block_index,
                          std::string_view data, const Sha256Digest& checksum);

  // Seals the snapshot after `changed_blocks` blocks were written, whose LINEAR checksum EBS
  // checks; returns the snapshot's status ("pending" while EBS finishes it).
  Result<std::string> CompleteSnapshot(const std::string& snapshot_id, int64_t changed_blocks,
                                       const std::string& linear_checksum);

 private:
  // Sends one request for `action` and returns its JSON answer.
  Result<nlohmann::json> Send(std::string_view action, std::string method, std::string path,
                              std::vector<HttpHeader> headers, std::string body,
                              const CallTraits& traits = {});

  const ClientContext& context_;
  ServiceEndpoint endpoint_;
};

}  // namespace i2kit::aws
