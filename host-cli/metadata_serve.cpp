// i2kit-host metadata-serve: the local instance-metadata service for one guest connection.
// QEMU starts it (a guestfwd rule, see qemu_command.h) in the replica's state dir with the
// connection as stdin and stdout; it reads the replica's record and key from there, answers one
// request (metadata_service.h), and exits. Not for people: hidden from --help.
#include <poll.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "host-cli/command.h"
#include "local-cluster/controller_files.h"
#include "local-vm/console_log.h"
#include "local-vm/metadata_service.h"
#include "local-vm/pod_secrets_file.h"
#include "local-vm/state_dir.h"

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
