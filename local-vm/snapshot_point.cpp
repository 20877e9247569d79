#include "local-vm/snapshot_point.h"

#include <unistd.h>

#include <cstdio>

#include "common/boot_identity.h"
#include "common/pod_vm.h"
#include "common/text_file.h"
#include "local-vm/vm_snapshot.h"

namespace i2kit {

bool IsBootIdentityRequest(std::string_view request) {
  return request.starts_with(std::string("PUT ") + pod_vm::kBootIdentityPath + " HTTP/");
}

SnapshotPointAnswer AnswerBootIdentity(const std::string& replica_dir, int replica,
                                       int64_t now_unix_ns, const std::string& entropy) {
  const std::string wanted = replica_dir + "/" + kSnapshotWantedFile;
  const std::string taking = replica_dir + "/" + kSnapshotTakingFile;
  const MetadataResponse not_yet{503, "not yet: the host is taking a snapshot\n"};
  if (std::rename(wanted.c_str(), taking.c_str()) == 0) {
    std::string path = ReadTextFile(taking);
    while (!path.empty() && path.back() == '\n') path.pop_back();
    if (!path.empty()) return {not_yet, path};
    (void)::unlink(taking.c_str());
  }
  if (::access(taking.c_str(), F_OK) == 0) return {not_yet, ""};
  BootIdentity identity;
  identity.replica = replica;
  identity.unix_ns = now_unix_ns;
  identity.entropy = entropy;
  return {{200, BootIdentityToJson(identity)}, ""};
}

}  // namespace i2kit
