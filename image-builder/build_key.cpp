#include "image-builder/build_key.h"

#include <fcntl.h>

#include <cstdlib>
#include <filesystem>

#include "common/config_references.h"
#include "common/unique_fd.h"
#include "image-builder/boot_partition.h"
#include "image-builder/containerd_image_source.h"
#include "image-builder/initrd.h"
#include "image-builder/oci_image_layout.h"
#include "image-builder/sha256.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;

// Bumped when what the key covers changes, so no artifacts keyed the old way are reused.
constexpr const char* kKeyFormat = "i2kit build key 1";

Result<std::string> FileDigest(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::Error("cannot read " + path + " (an input of the build)");
  return Sha256OfFd(fd.get(), path);
}

// The image's content address; "" when containerd does not hold it yet.
Result<std::string> ImageAddress(const Container& c, const PodVmBuildOptions& options) {
  switch (c.image.transport) {
    case ImageTransport::kOciLayout:
      return OciImageLayoutDigest(c.image.path, c.image.tag);
    case ImageTransport::kDockerArchive:
      return FileDigest(c.image.path);
    case ImageTransport::kRegistry:
      break;
  }
  ContainerdOptions containerd;
  containerd.address = options.containerd;
  containerd.pull = c.pull_policy;
  containerd.hosts_dir = options.registry_hosts;
  return ContainerdImageDigest(c.image, containerd);
}

}  // namespace

std::string ToolPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    fs::path candidate = fs::path(dirs.substr(start, end - start)) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) {
      fs::path real = fs::canonical(candidate, ec);
      if (!ec) return real.string();
    }
    start = end + 1;
  }
  return "";
}

std::string BuildKeyOf(const std::vector<BuildInput>& inputs) {
  Sha256 sha;
  auto add = [&](const std::string& text) {
    // Length-prefixed, so no two lists of inputs give the same bytes.
    std::string length = std::to_string(text.size()) + ":";
    sha.Update(length.data(), length.size());
    sha.Update(text.data(), text.size());
  };
  add(kKeyFormat);
  for (const BuildInput& input : inputs) {
    add(input.name);
    add(input.digest);
  }
  Result<std::string> key = sha.Finish();
  return key.ok() ? *key : "";
}

PodSpec ImageSpecOf(const Deployment& deployment, const std::vector<ConfigObject>& config_maps) {
  PodSpec spec;
  spec.deployment = deployment;
  spec.deployment.replicas = 1;
  spec.deployment.strategy = DeploymentStrategy{};
  spec.deployment.min_ready_seconds = 0;
  spec.deployment.progress_deadline_seconds = Deployment{}.progress_deadline_seconds;
  spec.config_maps = ReferencedConfigMaps(deployment, config_maps);
  return spec;
}

Result<std::optional<std::string>> BuildKeyFor(const Deployment& deployment,
                                               const PodVmBuildOptions& options) {
  std::vector<BuildInput> inputs;
  inputs.push_back({"spec", ToJson(ImageSpecOf(deployment, options.config_maps)).dump()});
  // Without root the flattened files are ours, and are packed as root's (pod_vm_build.cpp).
  inputs.push_back({"packed as", ::geteuid() == 0 ? "owners kept" : "all root"});
  std::vector<const Container*> containers;
  for (const Container& c : deployment.containers) containers.push_back(&c);
  for (const Container& c : deployment.init_containers) containers.push_back(&c);
  for (const Container* c : containers) {
    Result<std::string> address = ImageAddress(*c, options);
    if (!address.ok()) return address.status().WithContext("container " + c->name);
    if (address->empty()) return std::optional<std::string>();
    inputs.push_back({"image " + c->name, *address});
  }
  std::vector<std::pair<std::string, std::string>> files = {
      {"kernel", options.kernel},       {"agent", options.agent},
      {"runc", options.runc},           {"ec2 reporter", options.ec2_reporter},
      {"ca bundle", options.ca_bundle}, {"efi loader", kSystemdBootEfi},
      {"bios loader", kSyslinuxGptMbr}};
  Result<std::vector<std::string>> libraries = SharedLibrariesOf(options.runc);
  if (!libraries.ok()) return libraries.status();
  for (const std::string& library : *libraries) files.push_back({"runc library", library});
  for (const char* tool : {"mkfs.erofs", "mformat", "syslinux", "sfdisk"}) {
    if (std::string path = ToolPath(tool); !path.empty()) files.push_back({tool, path});
  }
  // The builder's own code decides the layout of every byte it writes.
  files.push_back({"builder", "/proc/self/exe"});
  for (const auto& [what, path] : files) {
    Result<std::string> digest = FileDigest(path);
    if (!digest.ok()) return digest.status();
    inputs.push_back({what, *digest});
  }
  return std::optional<std::string>(BuildKeyOf(inputs));
}

std::optional<VmArtifacts> ReusableBuild(const std::string& dir, const std::string& key) {
  std::error_code ec;
  if (key.empty() || !fs::exists(fs::path(dir) / kVmArtifactsFile, ec)) return std::nullopt;
  Result<VmArtifacts> artifacts = ReadVmArtifacts(dir);
  if (!artifacts.ok() || artifacts->build_key != key) return std::nullopt;
  std::vector<std::string> files = {artifacts->kernel, artifacts->initrd, artifacts->boot_disk};
  files.insert(files.end(), artifacts->disks.begin(), artifacts->disks.end());
  for (const std::string& file : files) {
    if (file.empty() || !fs::is_regular_file(fs::path(dir) / file, ec)) return std::nullopt;
  }
  return *std::move(artifacts);
}

}  // namespace i2kit
