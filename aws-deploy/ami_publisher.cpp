#include "aws-deploy/ami_publisher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "aws-client/ebs_api.h"
#include "common/sys_error.h"
#include "common/temp_dir.h"
#include "common/unique_fd.h"
#include "common/vm_artifacts.h"
#include "image-builder/boot_disk.h"

namespace i2kit {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;
constexpr auto kProgressRedraw = std::chrono::milliseconds(100);
// EBS finishes a snapshot in minutes at most; past this the publisher gives up on it.
constexpr auto kSnapshotDeadline = std::chrono::hours(1);

// Reads block `index` of `fd`, zero-padded past the end of the file.
Status ReadBlock(int fd, int64_t index, std::string& block, const std::filesystem::path& path) {
  block.assign(aws::kSnapshotBlockSize, '\0');
  size_t done = 0;
  while (done < block.size()) {
    ssize_t n = ::pread(fd, block.data() + done, block.size() - done,
                        static_cast<off_t>(index * static_cast<int64_t>(aws::kSnapshotBlockSize) +
                                           static_cast<int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SysError("pread", path.string());
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<UniqueFd> OpenDisk(const std::filesystem::path& disk, int64_t* size) {
  UniqueFd fd(::open(disk.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return SysError("open", disk.string());
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return SysError("fstat", disk.string());
  *size = info.st_size;
  return fd;
}

double MebibytesPerSecond(uint64_t bytes, std::chrono::milliseconds took) {
  double seconds = std::max<double>(static_cast<double>(took.count()), 1.0) / 1000.0;
  return static_cast<double>(bytes) / (1024.0 * 1024.0) / seconds;
}

std::string Rate(uint64_t bytes, std::chrono::milliseconds took) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB/s", MebibytesPerSecond(bytes, took));
  return text;
}

// "sha256:0123…" → its first `n` hex digits, for names.
std::string ShortDigest(const std::string& digest, size_t n) {
  size_t colon = digest.find(':');
  return digest.substr(colon == std::string::npos ? 0 : colon + 1, n);
}

// A copy of the source's disk in a new scratch directory, grown to the volume it becomes.
Result<AmiSource> GrownCopy(const AmiSource& source, std::optional<TempDir>& scratch) {
  int64_t size = 0;
  if (Result<UniqueFd> fd = OpenDisk(source.disk, &size); !fd.ok()) return fd.status();
  Result<TempDir> dir = TempDir::Create(std::filesystem::temp_directory_path(), "i2kit-push");
  if (!dir.ok()) return dir.status();
  scratch.emplace(std::move(dir).value());
  AmiSource volume = source;
  volume.disk = std::filesystem::path(scratch->path()) / "volume.raw";
  std::error_code ec;
  std::filesystem::copy_file(source.disk, volume.disk, ec);
  if (ec) return Status::Error("copying " + source.disk.string() + ": " + ec.message());
  const int64_t volume_bytes = std::max<int64_t>(1, (size + kGiB - 1) / kGiB) * kGiB;
  if (Status s = GrowBootDisk(volume.disk, static_cast<uint64_t>(volume_bytes)); !s.ok()) {
    return s.WithContext("preparing the volume image");
  }
  return volume;
}

}  // namespace

Result<std::optional<aws::Ec2Image>> FindImageOfDigest(aws::Ec2Client& ec2,
                                                       const std::string& image_digest) {
  Result<std::vector<aws::Ec2Image>> images =
      ec2.DescribeOwnImages(std::string("tag:") + kImageDigestTag, image_digest);
  if (!images.ok()) return images.status();
  for (const aws::Ec2Image& image : *images) {
    if (image.state == "available") return std::optional<aws::Ec2Image>(image);
    if (image.state == "pending") {
      return Status::Error(image.id + " of " + image_digest +
                           " is still pending: push again once it is available");
    }
  }
  return std::optional<aws::Ec2Image>();
}

Result<AmiSource> AmiSourceOf(const std::filesystem::path& dir) {
  Result<VmArtifacts> artifacts = ReadVmArtifacts(dir.string());
  if (!artifacts.ok()) return artifacts.status();
  if (artifacts->boot_disk.empty()) {
    return Status::Error((dir / kVmArtifactsFile).string() +
                         " has no bootDisk (built before disk.raw existed): build it again");
  }
  return AmiSource{artifacts->deployment, dir / artifacts->boot_disk, artifacts->image_digest};
}

Result<DiskBlocks> ScanDisk(const std::filesystem::path& disk) {
  DiskBlocks blocks;
  Result<UniqueFd> fd = OpenDisk(disk, &blocks.disk_size);
  if (!fd.ok()) return fd.status();
  std::string block;
  blocks.count = (blocks.disk_size + static_cast<int64_t>(aws::kSnapshotBlockSize) - 1) /
                 static_cast<int64_t>(aws::kSnapshotBlockSize);
  const int64_t block_size = static_cast<int64_t>(aws::kSnapshotBlockSize);
  for (int64_t index = 0; index < blocks.count; ++index) {
    // Holes of a sparse file (a disk grown to its volume's size) read as zeros: skip to the
    // next data, when the file system can say where it is (else every block is read).
    off_t data = ::lseek(fd->get(), static_cast<off_t>(index * block_size), SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // no data after here
    if (data > index * block_size) index = data / block_size;
    Status read = ReadBlock(fd->get(), index, block, disk);
    if (!read.ok()) return read;
    if (std::any_of(block.begin(), block.end(), [](char c) { return c != 0; })) {
      blocks.data.push_back(index);
    }
  }
  return blocks;
}

AmiPublisher::AmiPublisher(const aws::ClientContext& context, TransportFactory new_transport,
                           EventLog& log, PublishOptions options)
    : context_(context),
      new_transport_(std::move(new_transport)),
      log_(log),
      options_(options),
      ec2_(context) {}

Result<PublishedAmi> AmiPublisher::Publish(const AmiSource& source) {
  Result<std::optional<aws::Ec2Image>> found = FindImageOfDigest(ec2_, source.image_digest);
  if (!found.ok()) return found.status();
  if (const std::optional<aws::Ec2Image>& image = *found) {
    log_.Event(source.deployment + ": reusing " + image->id + " (" + image->name + "), " +
               kImageDigestTag + " " + source.image_digest);
    PublishedAmi reused;
    reused.image_id = image->id;
    reused.reused = true;
    return reused;
  }
  std::string name = "i2kit-" + source.deployment + "-" + ShortDigest(source.image_digest, 16);
  std::vector<aws::ResourceTag> tags = {{"Name", name},
                                        {kImageDigestTag, source.image_digest},
                                        {"i2kit:deployment", source.deployment}};
  // An image of this name without the tag: registered by a push that stopped before tagging
  // it. Registering again would fail on the name; it is this disk's (the name holds the
  // digest), so it is tagged now and reused.
  Result<std::vector<aws::Ec2Image>> named = ec2_.DescribeOwnImages("name", name);
  if (!named.ok()) return named.status();
  for (const aws::Ec2Image& image : *named) {
    if (image.state != "available") continue;
    if (Status tagged = ec2_.CreateTags({image.id}, tags); !tagged.ok()) return tagged;
    log_.Event(source.deployment + ": reusing " + image.id + " (" + name +
               "), registered by an earlier push that did not tag it; tagged now");
    PublishedAmi reused;
    reused.image_id = image.id;
    reused.reused = true;
    return reused;
  }

  std::optional<TempDir> scratch;
  AmiSource volume = source;
  if (options_.grow_to_volume) {
    Result<AmiSource> grown = GrownCopy(source, scratch);
    if (!grown.ok()) return grown.status();
    volume = *grown;
  }
  Result<DiskBlocks> blocks = ScanDisk(volume.disk);
  if (!blocks.ok()) return blocks.status();
  aws::EbsClient ebs(context_);
  aws::StartSnapshotRequest start{std::max<int64_t>(1, (blocks->disk_size + kGiB - 1) / kGiB),
                                  "i2kit " + source.deployment + " " + source.image_digest, tags,
                                  ShortDigest(source.image_digest, 32) + "-" +
                                      std::to_string(context_.now().time_since_epoch().count())};
  Result<aws::StartedSnapshot> snapshot = ebs.StartSnapshot(start);
  if (!snapshot.ok()) return snapshot.status();
  log_.Event(source.deployment + ": uploading " + source.disk.filename().string() + " to " +
             snapshot->snapshot_id + ": " + std::to_string(blocks->data.size()) + " of " +
             std::to_string(blocks->count) + " blocks hold data (" +
             FormatMebibytes(blocks->data.size() * aws::kSnapshotBlockSize) + "), " +
             std::to_string(options_.uploads_in_flight) + " in flight");
  const std::string& snapshot_id = snapshot->snapshot_id;
  Result<PublishedAmi> uploaded = Upload(volume, blocks->data, snapshot_id);
  if (!uploaded.ok()) {
    return DeleteUnused(source, snapshot_id, uploaded.status().WithContext(snapshot_id));
  }
  log_.Event(source.deployment + ": uploaded " + FormatMebibytes(uploaded->bytes_sent) + " in " +
             FormatSeconds(uploaded->upload_time) + " (" +
             Rate(uploaded->bytes_sent, uploaded->upload_time) + ")");

  Status completed = WaitForSnapshot(source, snapshot_id);
  if (!completed.ok()) return DeleteUnused(source, snapshot_id, completed);
  Result<std::string> image_id =
      ec2_.RegisterImage({name, "i2kit " + source.deployment + " " + source.image_digest,
                          snapshot_id, "uefi-preferred", tags});
  if (!image_id.ok()) return DeleteUnused(source, snapshot_id, image_id.status());
  log_.Event(source.deployment + ": registered " + *image_id + " (" + name + ")");
  PublishedAmi published = std::move(uploaded).value();
  published.image_id = *image_id;
  return published;
}

Status AmiPublisher::DeleteUnused(const AmiSource& source, const std::string& snapshot_id,
                                  const Status& failure) {
  Status deleted = ec2_.DeleteSnapshot(snapshot_id);
  if (!deleted.ok()) {
    return Status::Error(failure.message() + "; snapshot " + snapshot_id +
                         " was left behind, delete it by hand (" + deleted.message() + ")");
  }
  log_.Event(source.deployment + ": deleted snapshot " + snapshot_id +
             ", of no use after the failure");
  return failure;
}

Result<PublishedAmi> AmiPublisher::Upload(const AmiSource& source,
                                          const std::vector<int64_t>& blocks,
                                          const std::string& snapshot_id) {
  int64_t size = 0;
  Result<UniqueFd> fd = OpenDisk(source.disk, &size);
  if (!fd.ok()) return fd.status();
  auto start = std::chrono::steady_clock::now();
  std::mutex mutex;  // guards what follows, and log_
  size_t next = 0;
  Status failure;
  uint64_t bytes_sent = 0;
  auto last_draw = start;
  std::vector<aws::Sha256Digest> digests(blocks.size());
  uint64_t total = blocks.size() * aws::kSnapshotBlockSize;

  auto upload = [&] {
    std::unique_ptr<aws::HttpTransport> transport = new_transport_();
    aws::RetryPolicy retry_policy;
    aws::ClientContext context = context_;
    context.transport = transport.get();
    context.retry_policy = &retry_policy;
    context.notice = [&](const std::string& line) {
      std::lock_guard lock(mutex);
      log_.Event(source.deployment + ": " + line);
    };
    aws::EbsClient ebs(context);
    std::string block;
    for (;;) {
      size_t mine;
      {
        std::lock_guard lock(mutex);
        if (next == blocks.size() || !failure.ok()) return;
        mine = next++;
      }
      Status sent = ReadBlock(fd->get(), blocks[mine], block, source.disk);
      aws::Sha256Digest digest = aws::Sha256Of(block);
      if (sent.ok()) sent = ebs.PutSnapshotBlock(snapshot_id, blocks[mine], block, digest);
      std::lock_guard lock(mutex);
      if (!sent.ok()) {
        if (failure.ok()) failure = sent;
        return;
      }
      digests[mine] = digest;
      bytes_sent += block.size();
      auto now = std::chrono::steady_clock::now();
      if (now - last_draw >= kProgressRedraw) {
        last_draw = now;
        auto took = std::chrono::duration_cast<std::chrono::milliseconds>(now - start);
        log_.Progress(source.deployment + ": uploading " + FormatMebibytes(bytes_sent) + " / " +
                      FormatMebibytes(total) + ", " + Rate(bytes_sent, took));
      }
    }
  };
  std::vector<std::thread> threads;
  int count = std::clamp<int>(options_.uploads_in_flight, 1,
                              static_cast<int>(std::max<size_t>(blocks.size(), 1)));
  for (int i = 0; i < count; ++i) threads.emplace_back(upload);
  for (std::thread& t : threads) t.join();
  log_.ClearProgress();
  if (!failure.ok()) return failure;

  PublishedAmi published;
  published.snapshot_id = snapshot_id;
  published.blocks_sent = static_cast<int64_t>(blocks.size());
  published.bytes_sent = bytes_sent;
  published.upload_time = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  aws::EbsClient ebs(context_);
  Result<std::string> status =
      ebs.CompleteSnapshot(snapshot_id, published.blocks_sent, aws::LinearChecksum(digests));
  if (!status.ok()) return status.status();
  return published;
}

Status AmiPublisher::WaitForSnapshot(const AmiSource& source, const std::string& snapshot_id) {
  auto deadline = std::chrono::steady_clock::now() + kSnapshotDeadline;
  for (;;) {
    Result<std::optional<aws::Ec2Snapshot>> snapshot = ec2_.DescribeSnapshot(snapshot_id);
    if (!snapshot.ok()) return snapshot.status();
    if (!snapshot->has_value()) {
      return Status::Error("snapshot " + snapshot_id + " is gone (DescribeSnapshots knows it not)");
    }
    const aws::Ec2Snapshot& s = **snapshot;
    if (s.state == "completed") return Status::Ok();
    if (s.state == "error") {
      return Status::Error("snapshot " + snapshot_id + " failed: " +
                           (s.state_message.empty() ? "no reason given" : s.state_message));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Error("snapshot " + snapshot_id + " still " + s.state + " after an hour");
    }
    log_.Progress(source.deployment + ": snapshot " + snapshot_id + " " + s.state + " " +
                  s.progress);
    context_.sleep(options_.poll_interval);
  }
}

}  // namespace i2kit
