#include "image-builder/containerd_image_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <set>

#include "common/sys_error.h"
#include "common/unique_fd.h"
#include "image-builder/containerd_client.h"
#include "image-builder/image_manifest.h"
#include "image-builder/run_tool.h"
#include "image-builder/sha256.h"

namespace i2kit {
namespace {

std::string FromEnvironment(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SysError("write", path.string());
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// containerd's content store as a blob source: metadata read into memory, layers streamed into
// files of `blob_dir`.
class ContentStore : public BlobSource {
 public:
  ContentStore(ContainerdClient& client, std::filesystem::path blob_dir)
      : client_(client), blob_dir_(std::move(blob_dir)) {}

  Result<std::string> ReadBlob(const Descriptor& d) override {
    std::string text;
    Status read = client_.ReadBlob(d, [&](std::string_view data) {
      text.append(data);
      return Status::Ok();
    });
    if (!read.ok()) return read;
    return text;
  }

  Result<LayerBlob> FetchLayer(const Descriptor& d, LayerCompression compression) override {
    std::filesystem::path path = blob_dir_ / std::string(DigestHex(d.digest));
    LayerBlob blob{path, d.digest, d.size, compression};
    // A layer listed twice (an empty layer often is) was checked the first time.
    if (fetched_.contains(d.digest)) return blob;
    // Written under a temporary name, so no file ever bears a digest its content does not have.
    std::filesystem::path partial = path.string() + ".partial";
    UniqueFd out(
        ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!out.valid()) return SysError("open", partial.string());
    Sha256 sha;
    Status read = client_.ReadBlob(d, [&](std::string_view data) {
      sha.Update(data.data(), data.size());
      return WriteAll(out.get(), data, partial);
    });
    Result<std::string> digest = read.ok() ? sha.Finish() : Result<std::string>(read);
    if (digest.ok() && *digest != d.digest) digest = BlobDigestMismatch(d.digest, *digest);
    if (digest.ok() && ::rename(partial.c_str(), path.c_str()) != 0) {
      digest = SysError("rename", path.string());
    }
    if (!digest.ok()) {
      ::unlink(partial.c_str());
      return digest.status().WithContext("layer " + d.digest);
    }
    fetched_.insert(d.digest);
    return blob;
  }

 private:
  ContainerdClient& client_;
  std::filesystem::path blob_dir_;
  std::set<std::string> fetched_;
};

// Reads `ref` from containerd's stores; `*missing` tells whether it failed because the image,
// or a blob of it, is not there.
Result<ResolvedImage> ReadStored(ContainerdClient& client, const ImageReference& ref,
                                 const std::filesystem::path& blob_dir, bool* missing) {
  *missing = false;
  Result<std::optional<Descriptor>> target = client.GetImage(ref.Canonical());
  if (!target.ok()) return target.status();
  if (!target->has_value()) {
    *missing = true;
    return Status::Error("not in containerd's image store");
  }
  const Descriptor& top = **target;
  if (!ref.digest.empty() && top.digest != ref.digest) {
    return Status::Error("containerd's image is " + top.digest +
                         ", not the digest the reference names");
  }
  ContentStore store(client, blob_dir);
  Result<ResolvedImage> image = ReadImageGraph(store, top);
  *missing = !image.ok() && client.found_missing_blob();
  return image;
}

}  // namespace

Result<std::string> ContainerdSocketPath(std::string_view address) {
  constexpr std::string_view kUnix = "unix://";
  std::string_view path = address;
  if (path.starts_with(kUnix)) {
    path.remove_prefix(kUnix.size());
  } else if (path.find("://") != std::string_view::npos) {
    return Status::Error("containerd address \"" + std::string(address) +
                         "\": only unix sockets are supported (a path or unix:///PATH)");
  }
  if (path.empty()) return Status::Error("containerd address is empty");
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec)
    return Status::Error("containerd address \"" + std::string(address) + "\": " + ec.message());
  return absolute.lexically_normal().string();
}

ContainerdOptions ResolveContainerdOptions(const ContainerdOptions& options) {
  ContainerdOptions resolved = options;
  if (resolved.address.empty()) {
    resolved.address = FromEnvironment("CONTAINERD_ADDRESS", kDefaultContainerdAddress);
  }
  if (resolved.namespace_name.empty()) {
    resolved.namespace_name = FromEnvironment("CONTAINERD_NAMESPACE", kDefaultContainerdNamespace);
  }
  std::error_code ec;
  if (resolved.hosts_dir.empty() && std::filesystem::is_directory(kDefaultRegistryHostsDir, ec)) {
    resolved.hosts_dir = kDefaultRegistryHostsDir;
  }
  return resolved;
}

std::vector<std::string> ContainerdPullCommand(const ImageReference& ref,
                                               const ContainerdOptions& resolved,
                                               const std::string& socket_path) {
  // `content fetch` is `images pull` without the unpacking into a snapshotter; like pull, it
  // records the image in the image store.
  std::vector<std::string> argv = {resolved.ctr, "--address", socket_path, "--namespace",
                                   resolved.namespace_name};
  argv.insert(argv.end(),
              {"content", "fetch", "--platform", std::string(kImageOs) + "/" + kImageArchitecture});
  if (!resolved.hosts_dir.empty()) argv.insert(argv.end(), {"--hosts-dir", resolved.hosts_dir});
  argv.push_back(ref.Canonical());
  return argv;
}

std::string PullFailureHint(std::string_view ctr_error,
                            const std::vector<std::string>& pull_command) {
  bool wants_login = false;
  for (std::string_view sign : {"401 Unauthorized", "403 Forbidden", "may require authorization"})
    wants_login = wants_login || ctr_error.find(sign) != std::string_view::npos;
  if (!wants_login || pull_command.empty()) return "";
  std::string command;
  for (size_t i = 0; i < pull_command.size(); ++i) {
    if (i + 1 == pull_command.size()) command += "--user USER ";
    command += pull_command[i] + (i + 1 == pull_command.size() ? "" : " ");
  }
  return " (build gives ctr no credentials: fetch the image yourself with `" + command +
         "`, which asks for the password, and build with imagePullPolicy IfNotPresent)";
}

Result<ResolvedImage> ReadContainerdImage(const ImageReference& ref,
                                          const ContainerdOptions& options,
                                          const std::filesystem::path& blob_dir) {
  if (ref.transport != ImageTransport::kRegistry) {
    return Status::Error("image " + ref.Canonical() + ": not a registry reference");
  }
  ContainerdOptions resolved = ResolveContainerdOptions(options);
  Result<std::string> socket_path = ContainerdSocketPath(resolved.address);
  if (!socket_path.ok()) return socket_path.status();
  ContainerdClient client(*socket_path, resolved.namespace_name);
  std::string where = "image " + ref.Canonical() + " (containerd namespace " + client.ns() + ")";
  std::vector<std::string> pull_command = ContainerdPullCommand(ref, resolved, *socket_path);
  // The pull's failure as `why` words it, ctr's own words last, and what to do about it.
  auto pull_failed = [&](const std::string& why, const Status& pulled) {
    return Status::Error(where + ": " + why + ": " + pulled.message() +
                         PullFailureHint(pulled.message(), pull_command));
  };
  bool missing = false;
  if (resolved.pull == PullPolicy::kAlways) {
    // What containerd holds may be an older image of the tag: the registry decides.
    Result<ToolOutput> pulled = RunTool(pull_command);
    if (!pulled.ok()) {
      return pull_failed(
          "imagePullPolicy Always (Kubernetes' default for :latest) fetches it "
          "from its registry, and that failed",
          pulled.status());
    }
  }
  Result<ResolvedImage> image = ReadStored(client, ref, blob_dir, &missing);
  if (!image.ok() && missing && resolved.pull == PullPolicy::kIfNotPresent) {
    Result<ToolOutput> pulled = RunTool(pull_command);
    if (!pulled.ok()) {
      return pull_failed(image.status().message() + ", and pulling it failed", pulled.status());
    }
    image = ReadStored(client, ref, blob_dir, &missing);
  }
  if (!image.ok() && missing && resolved.pull == PullPolicy::kNever) {
    return Status::Error(where + ": " + image.status().message() +
                         "; imagePullPolicy Never does not pull it");
  }
  if (!image.ok()) return image.status().WithContext(where);
  return image;
}

Result<std::string> ContainerdImageDigest(const ImageReference& ref,
                                          const ContainerdOptions& options) {
  if (ref.transport != ImageTransport::kRegistry) {
    return Status::Error("image " + ref.Canonical() + ": not a registry reference");
  }
  ContainerdOptions resolved = ResolveContainerdOptions(options);
  Result<std::string> socket_path = ContainerdSocketPath(resolved.address);
  if (!socket_path.ok()) return socket_path.status();
  if (resolved.pull == PullPolicy::kAlways) {
    // The registry decides what the tag names now; the build's own pull finds it fetched.
    std::vector<std::string> pull_command = ContainerdPullCommand(ref, resolved, *socket_path);
    Result<ToolOutput> pulled = RunTool(pull_command);
    if (!pulled.ok()) {
      return Status::Error(
          "image " + ref.Canonical() +
          ": imagePullPolicy Always fetches it from its registry, and that failed: " +
          pulled.status().message() + PullFailureHint(pulled.status().message(), pull_command));
    }
  }
  ContainerdClient client(*socket_path, resolved.namespace_name);
  Result<std::optional<Descriptor>> target = client.GetImage(ref.Canonical());
  if (!target.ok()) return target.status().WithContext("image " + ref.Canonical());
  if (!target->has_value()) return std::string();
  return (*target)->digest;
}

}  // namespace i2kit
