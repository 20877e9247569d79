// i2kit-host metadata-serve: the local instance-metadata service for one guest connection.
// QEMU starts it (a guestfwd rule, see qemu_command.h) in the replica's state dir with the
// connection as stdin and stdout; it reads the replica's record and key from there, answers one
// request (metadata_service.h), and exits. Not for people: hidden from --help.
#include <fcntl.h>
#include <poll.h>
#include <sys/random.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/boot_identity.h"
#include "host-cli/command.h"
#include "local-cluster/controller_files.h"
#include "local-vm/console_log.h"
#include "local-vm/metadata_service.h"
#include "local-vm/pod_secrets_file.h"
#include "local-vm/snapshot_point.h"
#include "local-vm/state_dir.h"
#include "local-vm/vm_snapshot.h"

namespace i2kit {
namespace {

constexpr size_t kMaxRequest = 16 * 1024;
constexpr int kReadTimeoutMs = 5000;

// The request head (and any body its Content-Length announces) from stdin, bounded.
std::string ReadRequest() {
  std::string request;
  size_t wanted = std::string::npos;
  while (request.size() < kMaxRequest) {
    if (wanted == std::string::npos) {
      size_t end = request.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        size_t at = request.find("\r\nContent-Length:");
        if (at != std::string::npos && at < end) {
          size_t start = request.find_first_not_of(' ', at + 17);
          std::from_chars(request.data() + start, request.data() + end, length);
        }
        wanted = end + 4 + std::min(length, kMaxRequest);
      }
    }
    if (wanted != std::string::npos && request.size() >= wanted) break;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (::poll(&p, 1, kReadTimeoutMs) <= 0) break;
    char chunk[4096];
    ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n <= 0) break;
    request.append(chunk, static_cast<size_t>(n));
  }
  return request;
}

void WriteAll(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(STDOUT_FILENO, data.data() + done, data.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// The agent's boot-identity request (snapshot_point.h): its identity, or "not yet" and then the
// warm-start snapshot of this VM, taken once the guest's connection is closed.
ExitCode ServeBootIdentity(const ReplicaRecord& record) {
  std::string entropy(kBootEntropyBytes, '\0');
  timespec now{};
  if (::getrandom(entropy.data(), entropy.size(), 0) != static_cast<ssize_t>(entropy.size()) ||
      ::clock_gettime(CLOCK_REALTIME, &now) != 0) {
    WriteAll(MetadataResponse{500, "no entropy or clock\n"}.Serialize());
    return ExitCode::kFailure;
  }
  SnapshotPointAnswer answer = AnswerBootIdentity(
      ".", record.replica, static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec, entropy);
  WriteAll(answer.response.Serialize());
  if (answer.snapshot_path.empty()) return ExitCode::kOk;
  // The connection ends now, before the VM stops: the agent is then waiting to ask again.
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) ::dup2(null, fd);
  Status taken = TakeSnapshot(kQmpSocketFile, answer.snapshot_path, std::chrono::seconds(60));
  (void)WriteFileAtomically(
      kSnapshotLogFile,
      (taken.ok() ? "snapshot " + answer.snapshot_path + " taken" : taken.message()) + "\n");
  ::unlink(kSnapshotTakingFile);
  return taken.ok() ? ExitCode::kOk : ExitCode::kFailure;
}

ExitCode RunMetadataServe(const std::string& domain) {
  // stderr is the guest's connection too: nothing is printed but the answer.
  Result<std::string> record_text = ReadLogTail(kRecordFile, 1 << 20);
  Result<std::string> key = ReadLogTail(kMetadataKeyFile, 4096);
  Result<ReplicaRecord> record =
      record_text.ok() ? RecordFromJson(*record_text) : Result<ReplicaRecord>(record_text.status());
  std::string request = ReadRequest();
  if (!record.ok() || !key.ok() || key->empty()) {
    WriteAll(MetadataResponse{404, "no replica here\n"}.Serialize());
    return ExitCode::kFailure;
  }
  if (IsBootIdentityRequest(request)) return ServeBootIdentity(*record);
  InstanceIdentity identity;
  identity.instance_id = "i-local-" + record->deployment + "-" + std::to_string(record->replica);
  identity.user_data = nlohmann::ordered_json{
      {"stack", "local"},
      {"deployment", record->deployment},
      {"replica", record->replica},
      {"region",
       identity.region}}.dump();
  // The state root is two levels up: ROOT/<deployment>/<replica>.
  StateDir state(std::filesystem::current_path().parent_path().parent_path().string());
  MetadataResponse response = HandleMetadataRequest(
      request, identity, *key, static_cast<int64_t>(std::time(nullptr)),
      [&] {
        ServiceDirectory directory = LocalServiceDirectory(state);
        directory.domain = domain;
        return DirectoryToJson(directory);
      },
      // Read from the artifacts this replica was started from: its own Deployment's only.
      [&] { return ReadPodSecretsFile(record->artifacts_dir); });
  WriteAll(response.Serialize());
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupMetadataServe(CLI::App& sub) {
  sub.group("");  // hidden: QEMU runs it, not people
  auto domain = std::make_shared<std::string>(kDefaultServiceDomain);
  sub.add_option("--domain", *domain, "The domain names may carry");
  return [domain](Console&) { return RunMetadataServe(*domain); };
}

}  // namespace i2kit
