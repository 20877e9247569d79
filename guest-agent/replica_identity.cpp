#include "guest-agent/replica_identity.h"

#include <fcntl.h>
#include <linux/random.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "common/pod_vm.h"
#include "common/sys_error.h"
#include "common/unique_fd.h"
#include "guest-agent/metadata_client.h"
#include "guest-agent/pid1.h"

namespace i2kit {
namespace {

using Clock = std::chrono::steady_clock;

// Each attempt: the service answers in milliseconds (one process QEMU starts per connection),
// so a longer wait is a connection the snapshot cut.
constexpr auto kAttemptTimeout = std::chrono::milliseconds(500);
constexpr auto kRetryPause = std::chrono::milliseconds(20);

}  // namespace

Result<BootIdentity> AwaitBootIdentity(const std::string& metadata_address,
                                       std::chrono::milliseconds limit) {
  const Clock::time_point deadline = Clock::now() + limit;
  std::string last_error;
  for (;;) {
    MetadataClient client(metadata_address, 80, kAttemptTimeout);
    int status = 0;
    Result<std::string> body = client.PutWithoutToken(pod_vm::kBootIdentityPath, &status);
    if (body.ok() && status == 200) return BootIdentityFromJson(*body);
    // 503: not yet (a snapshot is being taken); 404: the host has not recorded the replica yet.
    last_error = body.ok() ? "HTTP " + std::to_string(status) : body.status().message();
    if (Clock::now() >= deadline) {
      return Status::Error(std::string("no boot identity from ") + metadata_address + " in " +
                           std::to_string(limit.count()) + " ms: " + last_error);
    }
    std::this_thread::sleep_for(kRetryPause);
  }
}

Status ApplyBootIdentity(const BootIdentity& identity) {
  timespec now{static_cast<time_t>(identity.unix_ns / 1000000000),
               static_cast<long>(identity.unix_ns % 1000000000)};
  if (::clock_settime(CLOCK_REALTIME, &now) != 0)
    return SysError("clock_settime", "CLOCK_REALTIME");
  UniqueFd random(::open("/dev/urandom", O_WRONLY | O_CLOEXEC));
  if (!random.valid()) return SysError("open", "/dev/urandom");
  // struct rand_pool_info ends in a flexible array of the bytes.
  std::vector<char> buffer(sizeof(rand_pool_info) + identity.entropy.size());
  auto* info = reinterpret_cast<rand_pool_info*>(buffer.data());
  info->entropy_count = static_cast<int>(identity.entropy.size() * 8);
  info->buf_size = static_cast<int>(identity.entropy.size());
  std::memcpy(buffer.data() + sizeof(rand_pool_info), identity.entropy.data(),
              identity.entropy.size());
  if (::ioctl(random.get(), RNDADDENTROPY, info) != 0) {
    return SysError("ioctl RNDADDENTROPY", "/dev/urandom");
  }
  // Added entropy alone changes the input pool, not the CRNG's key until its next scheduled
  // reseed (a minute away): this makes the very next read use the new key.
  if (::ioctl(random.get(), RNDRESEEDCRNG) != 0) {
    return SysError("ioctl RNDRESEEDCRNG", "/dev/urandom");
  }
  return Status::Ok();
}

Result<int> LearnReplica(bool pid1, const std::string& metadata_address, const std::string& cmdline,
                         const std::function<void(const std::string&)>& console) {
  if (!pid1 || metadata_address != pod_vm::kLocalMetadataAddress) {
    std::string text = KernelCmdlineValue(cmdline, pod_vm::kCmdlineReplica);
    return text.empty() ? 0 : std::atoi(text.c_str());
  }
  // Generous: under load a snapshot of a busy host can take seconds.
  Result<BootIdentity> identity = AwaitBootIdentity(metadata_address, std::chrono::seconds(120));
  if (!identity.ok()) return identity.status();
  if (Status s = ApplyBootIdentity(*identity); !s.ok()) return s.WithContext("boot identity");
  // The first read after the reseed, thrown away (the CRNG erases its key as it goes, so this
  // says nothing of later reads): VMs restored from one snapshot must show different ones,
  // which without the reseed they would not (warm-start test).
  uint64_t first = 0;
  if (::getrandom(&first, sizeof first, 0) != sizeof first) return SysError("getrandom");
  char first_hex[17];
  std::snprintf(first_hex, sizeof first_hex, "%016llx", static_cast<unsigned long long>(first));
  console("i2kit-agent: replica " + std::to_string(identity->replica) +
          " from the host; clock set, random generator reseeded (first read " + first_hex +
          ", discarded)");
  return identity->replica;
}

}  // namespace i2kit
