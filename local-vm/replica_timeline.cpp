#include "local-vm/replica_timeline.h"

#include "common/text_file.h"
#include "local-vm/readiness.h"

namespace i2kit {

std::optional<AgentStatusAnswer> FetchAgentStatus(int agent_port,
                                                  std::chrono::milliseconds timeout) {
  std::optional<std::string> body = FetchLocal(agent_port, "/status", timeout);
  if (!body) return std::nullopt;
  double received =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return AgentStatusAnswer{std::move(*body), received};
}

std::vector<TimelineMark> ReplicaTimeline(const std::string& replica_dir,
                                          const std::optional<AgentStatusAnswer>& status) {
  Result<std::vector<TimelineMark>> host =
      HostMarksFromJson(ReadTextFile(replica_dir + "/" + kTimelineFile));
  if (!host.ok() || host->empty()) return {};
  std::optional<GuestBoot> guest = status ? GuestBootFromStatus(status->body) : std::nullopt;
  return MergeTimeline(*host, guest, status ? status->received : 0);
}

}  // namespace i2kit
