#include "image-builder/containerd_client.h"

#include <absl/status/status.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "github.com/containerd/containerd/api/services/content/v1/content.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/images/v1/images.grpc.pb.h"
#include "image-builder/sha256.h"

namespace i2kit {
namespace {

namespace content = containerd::services::content::v1;
namespace images = containerd::services::images::v1;

// containerd answers a local socket in milliseconds; a call this slow means it is stuck.
constexpr std::chrono::seconds kCallTimeout{10};
// A blob read gets that plus a second per 4 MiB, so a large layer on a slow disk still arrives.
constexpr uint64_t kReadBytesPerSecond = 4 << 20;
// containerd sends content in messages of at most 1 MiB, and caps any message at 16 MiB
// (defaults.DefaultMaxSendMsgSize); gRPC's own default limit on receiving is 4 MiB.
constexpr int kMaxMessageBytes = 16 << 20;

// gRPC's status codes are the canonical ones abseil (which gRPC is built on) names.
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// Sets the call's deadline and namespace.
void Prepare(grpc::ClientContext& context, std::chrono::seconds timeout, const std::string& ns) {
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  // containerd's namespace interceptor reads this header (namespaces/grpc.go).
  context.AddMetadata("containerd-namespace", ns);
}

// Turns a failed call into a Status that says what to do where something can be done.
Status CallError(const grpc::Status& status, std::string_view call, const std::string& target,
                 const std::string& socket_path, std::chrono::seconds timeout) {
  std::string detail = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      // A socket we may not open fails to connect like a missing one: say which it is.
      if (::access(socket_path.c_str(), R_OK | W_OK) != 0 && errno == EACCES) {
        return Status::Error("cannot reach containerd at " + target +
                             ": permission denied on the socket (run as root, or as a user "
                             "its owner lets in; set --containerd/CONTAINERD_ADDRESS)");
      }
      return Status::Error("cannot reach containerd at " + target + ": " + detail +
                           " (is containerd running? set --containerd/CONTAINERD_ADDRESS)");
    case grpc::StatusCode::PERMISSION_DENIED:
      return Status::Error("containerd at " + target + " refused " + std::string(call) +
                           ": permission denied: " + detail);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Status::Error("containerd at " + target + " did not finish " + std::string(call) +
                           " within " + std::to_string(timeout.count()) + " s");
    case grpc::StatusCode::UNIMPLEMENTED:
      return Status::Error(target + " does not serve " + std::string(call) +
                           " (is it containerd?): " + detail);
    default:
      return Status::Error("containerd at " + target + ": " + std::string(call) +
                           " failed: " + CodeName(status.error_code()) + ": " + detail);
  }
}

Result<Descriptor> FromProto(const containerd::types::Descriptor& proto, std::string_view where) {
  Descriptor d;
  d.media_type = proto.media_type();
  d.digest = proto.digest();
  if (Status valid = CheckSha256Digest(d.digest); !valid.ok()) return valid.WithContext(where);
  if (proto.size() < 0) {
    return Status::Error(std::string(where) + ": negative size " + std::to_string(proto.size()));
  }
  d.size = static_cast<uint64_t>(proto.size());
  return d;
}

}  // namespace

struct ContainerdClient::Stubs {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<images::Images::Stub> images;
  std::unique_ptr<content::Content::Stub> content;
};

ContainerdClient::ContainerdClient(const std::string& socket_path, std::string ns)
    : socket_path_(socket_path),
      target_("unix://" + socket_path),
      ns_(std::move(ns)),
      stubs_(std::make_unique<Stubs>()) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  stubs_->channel = grpc::CreateCustomChannel(target_, grpc::InsecureChannelCredentials(), args);
  stubs_->images = images::Images::NewStub(stubs_->channel);
  stubs_->content = content::Content::NewStub(stubs_->channel);
}

ContainerdClient::~ContainerdClient() = default;

Result<std::optional<Descriptor>> ContainerdClient::GetImage(const std::string& name) {
  grpc::ClientContext context;
  Prepare(context, kCallTimeout, ns_);
  images::GetImageRequest request;
  request.set_name(name);
  images::GetImageResponse response;
  grpc::Status status = stubs_->images->Get(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<Descriptor>();
  if (!status.ok()) {
    return CallError(status, "Images.Get(" + name + ")", target_, socket_path_, kCallTimeout);
  }
  Result<Descriptor> target = FromProto(response.image().target(), "image " + name + ": target");
  if (!target.ok()) return target.status();
  return std::optional<Descriptor>(std::move(target).value());
}

Status ContainerdClient::ReadBlob(const Descriptor& d,
                                  const std::function<Status(std::string_view)>& sink) {
  auto timeout = kCallTimeout + std::chrono::seconds(d.size / kReadBytesPerSecond);
  grpc::ClientContext context;
  Prepare(context, timeout, ns_);
  content::ReadContentRequest request;
  request.set_digest(d.digest);  // offset 0 and size 0: the whole blob
  std::unique_ptr<grpc::ClientReader<content::ReadContentResponse>> reader =
      stubs_->content->Read(&context, request);
  content::ReadContentResponse chunk;
  uint64_t received = 0;
  Status failed;
  while (failed.ok() && reader->Read(&chunk)) {
    const std::string& data = chunk.data();
    if (chunk.offset() < 0 || static_cast<uint64_t>(chunk.offset()) != received) {
      failed = Status::Error("containerd sent blob " + d.digest + " out of order (offset " +
                             std::to_string(chunk.offset()) + ", expected " +
                             std::to_string(received) + ")");
    } else if (data.size() > d.size - received) {
      failed = Status::Error("containerd sent more of blob " + d.digest + " than its " +
                             std::to_string(d.size) + " bytes");
    } else {
      received += data.size();
      failed = sink(data);
    }
  }
  if (!failed.ok()) {
    context.TryCancel();  // Finish would otherwise wait for the rest of the stream
    reader->Finish();
    return failed;
  }
  grpc::Status status = reader->Finish();
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    found_missing_blob_ = true;
    return Status::Error("blob " + d.digest + " is not in containerd's content store (" +
                         status.error_message() + ")");
  }
  if (!status.ok()) {
    return CallError(status, "Content.Read(" + d.digest + ")", target_, socket_path_, timeout);
  }
  if (received != d.size) return BlobSizeMismatch(d, received);
  return Status::Ok();
}

}  // namespace i2kit
