// Reads registry images (`[registry/]repo[:tag][@digest]`) from containerd: the image store
// names the image's index or manifest, the content store holds every blob. An image containerd
// lacks is pulled into it first (or every time, or never: the pull policy).
//
// The pull runs `ctr`, client-side, because containerd 1.6 (Debian 12's) cannot pull on the
// server: its API has no Transfer service before 1.7, and containerd's own clients resolve,
// authenticate and fetch in the client process. ctr does it with the user's registry
// hosts directory (and plain HTTP for a loopback registry, as containerd's resolver decides for
// localhost on its own); i2kit does not reimplement the registry protocol.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/image_reference.h"
#include "common/pod_model.h"
#include "common/status.h"
#include "image-builder/resolved_image.h"

namespace i2kit {

inline constexpr const char* kDefaultContainerdAddress = "/run/containerd/containerd.sock";
// ctr's and nerdctl's namespace: the images a user pulled or built with them are found there
// without a flag. (Docker's containerd image store is "moby".)
inline constexpr const char* kDefaultContainerdNamespace = "default";
// Where containerd keeps each registry's hosts.toml (mirrors, CAs, plain HTTP) by convention,
// as its documentation and nerdctl have it.
inline constexpr const char* kDefaultRegistryHostsDir = "/etc/containerd/certs.d";

struct ContainerdOptions {
  // The socket, as a path or a unix:// URI. Empty: $CONTAINERD_ADDRESS, else
  // kDefaultContainerdAddress, as ctr does.
  std::string address;
  // Empty: $CONTAINERD_NAMESPACE, else kDefaultContainerdNamespace, as ctr does.
  std::string namespace_name;
  // The registry hosts directory the pull reads (DIR/HOST[:PORT]/hosts.toml). Empty:
  // kDefaultRegistryHostsDir when it is a directory, else none (ctr's defaults: HTTPS with the
  // system's CAs, plain HTTP for loopback).
  std::string hosts_dir;
  // When the image is fetched from its registry, as Kubernetes' imagePullPolicy says:
  // kIfNotPresent only when containerd lacks it (or this platform's part of it); kAlways before
  // every read, so that a tag moved in the registry is seen (a fetch of what containerd holds
  // already transfers only the manifests); kNever not at all, a missing image is an error.
  PullPolicy pull = PullPolicy::kIfNotPresent;
  std::string ctr = "ctr";  // looked up in PATH
};

// The socket path `address` names: "unix:///run/c.sock" and "/run/c.sock" both give
// "/run/c.sock"; a relative path is made absolute. An empty address, or another scheme, fails.
Result<std::string> ContainerdSocketPath(std::string_view address);

// `options` with the defaults and the environment applied (address and namespace set; hosts_dir
// when given or when the default exists).
ContainerdOptions ResolveContainerdOptions(const ContainerdOptions& options);

// The ctr command that fetches `ref` for linux/amd64 into the namespace of the containerd at
// `socket_path`, without unpacking it into a snapshot (i2kit flattens the layers itself), with
// the registry hosts directory if there is one.
std::vector<std::string> ContainerdPullCommand(const ImageReference& ref,
                                               const ContainerdOptions& resolved,
                                               const std::string& socket_path);

// What to add to the error of a failed pull, from ctr's words (`ctr_error`): ctr is given no
// credentials, so a registry that wants a login (401, 403, "may require authorization") gets
// `pull_command` with --user to run by hand, and the policy that then reads its result.
// Empty for other failures.
std::string PullFailureHint(std::string_view ctr_error,
                            const std::vector<std::string>& pull_command);

// Reads the image `ref` (a kRegistry reference) from containerd, looking it up by its
// Canonical() name, which is the name containerd stores ("docker.io/library/busybox:latest").
// An index is resolved for linux/amd64; every metadata blob is checked against its descriptor
// and every layer is streamed into `blob_dir` (an existing directory the caller owns) as a file
// named by its digest, its size and sha256 checked as it arrives. A reference with a digest
// must resolve to exactly that digest.
Result<ResolvedImage> ReadContainerdImage(const ImageReference& ref,
                                          const ContainerdOptions& options,
                                          const std::filesystem::path& blob_dir);

// The digest of the index or manifest containerd stores for `ref` (a kRegistry reference),
// after the pull that imagePullPolicy Always makes first; "" when containerd does not hold it.
// Reads no blob: cheap enough to tell whether a build of the image is up to date.
Result<std::string> ContainerdImageDigest(const ImageReference& ref,
                                          const ContainerdOptions& options);

}  // namespace i2kit
