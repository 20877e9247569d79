// A client of the two containerd services that image resolution needs, as containerd 1.6
// serves them (API v1, over gRPC on a unix socket): the image store (Images.Get) and the
// content store (Content.Read). Every call carries the namespace as the
// `containerd-namespace` metadata header and a deadline, and every gRPC failure becomes a
// Status naming the socket and, where it helps, what to do about it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "image-builder/image_manifest.h"

namespace i2kit {

class ContainerdClient {
 public:
  // A client of the containerd listening on `socket_path`, working in namespace `ns`. Nothing
  // is connected until the first call.
  ContainerdClient(const std::string& socket_path, std::string ns);
  ~ContainerdClient();
  ContainerdClient(const ContainerdClient&) = delete;
  ContainerdClient& operator=(const ContainerdClient&) = delete;

  // The gRPC target, "unix:///run/containerd/containerd.sock", as errors name it.
  const std::string& target() const { return target_; }
  const std::string& ns() const { return ns_; }

  // The target descriptor of the image stored as `name` ("docker.io/library/busybox:latest"),
  // or nullopt when the namespace holds no image of that name.
  Result<std::optional<Descriptor>> GetImage(const std::string& name);

  // Streams the blob `d` from the content store, handing its bytes to `sink` in order; fails
  // when the blob is missing, when containerd sends more or fewer than d.size bytes, or when
  // `sink` fails. The caller checks the digest.
  Status ReadBlob(const Descriptor& d, const std::function<Status(std::string_view)>& sink);

  // True once ReadBlob found a blob missing from the content store: the image is known but
  // its content (or this platform's part of it) was never fetched.
  bool found_missing_blob() const { return found_missing_blob_; }

 private:
  struct Stubs;
  std::string socket_path_;
  std::string target_;
  std::string ns_;
  std::unique_ptr<Stubs> stubs_;
  bool found_missing_blob_ = false;
};

}  // namespace i2kit
