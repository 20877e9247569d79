// Turns a Pod VM's bootable disk (disk.raw) into an AMI, content-addressed by the image digest:
// an AMI of this account already tagged with the digest is reused; otherwise the disk goes up
// through the EBS direct APIs — 512 KiB blocks, all-zero blocks skipped, several in flight,
// each with its SHA-256 and the whole with the LINEAR aggregate — and the snapshot, once
// completed, is registered (UEFI preferred, ENA, IMDSv2) and tagged. A push that fails
// between StartSnapshot and RegisterImage deletes the snapshot it started.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws-client/ec2_api.h"
#include "aws-client/signed_call.h"
#include "common/event_log.h"
#include "common/status.h"

namespace i2kit {

// The tag that makes images content-addressed.
inline constexpr const char* kImageDigestTag = "i2kit:image-digest";

struct AmiSource {
  std::string deployment;
  std::filesystem::path disk;  // disk.raw
  std::string image_digest;    // "sha256:…", vm.json's imageDigest
};

// The available AMI of this account tagged with `image_digest`, nullopt when there is none;
// fails when the one there is still pending ("push again once it is available").
Result<std::optional<aws::Ec2Image>> FindImageOfDigest(aws::Ec2Client& ec2,
                                                       const std::string& image_digest);

// The disk of the artifacts directory `dir` (its vm.json), failing when it has none.
Result<AmiSource> AmiSourceOf(const std::filesystem::path& dir);

struct PublishedAmi {
  std::string image_id;
  bool reused = false;
  std::string snapshot_id;  // the rest is empty or zero when reused
  int64_t blocks_sent = 0;
  uint64_t bytes_sent = 0;
  std::chrono::milliseconds upload_time{0};
};

struct PublishOptions {
  int uploads_in_flight = 8;                      // PutSnapshotBlock calls at once, one thread each
  std::chrono::milliseconds poll_interval{2000};  // between two looks at the snapshot
  // The disk is a GPT boot disk (disk.raw): a grown copy goes up, its backup GPT at the end of
  // the volume (a whole number of GiB), where UEFI looks for it. False: the bytes as they are.
  bool grow_to_volume = true;
};

// A transport for one upload thread: httplib's clients must not be shared between threads.
using TransportFactory = std::function<std::unique_ptr<aws::HttpTransport>()>;

class AmiPublisher {
 public:
  // `context` is the session's, used from the calling thread; each upload thread gets a copy
  // with a transport from `new_transport` and a retry policy of its own. Progress goes to
  // `log`, from whichever thread, one at a time.
  AmiPublisher(const aws::ClientContext& context, TransportFactory new_transport, EventLog& log,
               PublishOptions options = {});

  Result<PublishedAmi> Publish(const AmiSource& source);

 private:
  Result<PublishedAmi> Upload(const AmiSource& source, const std::vector<int64_t>& blocks,
                              const std::string& snapshot_id);
  Status WaitForSnapshot(const AmiSource& source, const std::string& snapshot_id);
  // After `failure`, deletes the snapshot no image will use (best effort: EBS would cancel an
  // unfinished one after StartSnapshot's Timeout, but leave it behind in state error) and
  // returns `failure`, naming the snapshot left behind when the delete fails too.
  Status DeleteUnused(const AmiSource& source, const std::string& snapshot_id,
                      const Status& failure);

  const aws::ClientContext& context_;
  TransportFactory new_transport_;
  EventLog& log_;
  PublishOptions options_;
  aws::Ec2Client ec2_;
};

// What an upload needs to know of a disk, read in 512 KiB blocks (a last partial block counts
// as padded with zeros, as the volume is).
struct DiskBlocks {
  int64_t disk_size = 0;
  int64_t count = 0;          // blocks of the disk
  std::vector<int64_t> data;  // the indexes of those holding a byte other than zero, ascending
};

Result<DiskBlocks> ScanDisk(const std::filesystem::path& disk);

}  // namespace i2kit
