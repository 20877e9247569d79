// i2kit-host logs NAME[/REPLICA] [-f]: prints a replica's console log (the kernel's and the
// agent's messages, the containers' output the agent forwards), or every replica's of a
// deployment, each line prefixed with its replica; -c keeps only what one container wrote; -f
// follows them until nothing named runs any more or Ctrl-C. --timeline prints each replica's
// boot timeline instead (local-vm/boot_timeline.h).
#include <poll.h>

#include <memory>
#include <ostream>
#include <set>

#include "host-cli/command.h"
#include "local-cluster/controller_files.h"
#include "local-cluster/signal_watch.h"
#include "local-vm/console_log.h"
#include "local-vm/replica_timeline.h"
#include "local-vm/state_dir.h"

namespace i2kit {
namespace {

constexpr int kFollowTickMs = 250;

struct LogsOptions {
  std::string name;
  bool follow = false;
  int tail = -1;
  std::string container;  // only this container's output, without its prefix
  bool timeline = false;
};

constexpr std::chrono::milliseconds kStatusTimeout{1000};

// Each replica's boot timeline, one after the other.
ExitCode PrintTimelines(const std::vector<ReplicaEntry>& entries, Console& console) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const ReplicaEntry& entry = entries[i];
    std::optional<AgentStatusAnswer> status;
    if (entry.state == ReplicaState::kRunning && entry.record) {
      status = FetchAgentStatus(entry.record->agent_port, kStatusTimeout);
    }
    std::vector<TimelineMark> timeline = ReplicaTimeline(entry.dir, status);
    console.out << (i > 0 ? "\n" : "") << entry.name() << ": ";
    if (timeline.empty()) {
      console.out << "no boot timeline recorded\n";
      continue;
    }
    console.out << "seconds since " << timeline.front().phase
                << " on the host's clock (~ mapped from the guest's), and the guest's clock"
                << (status ? "" : " (the agent did not answer: the host's marks only)") << "\n"
                << FormatTimeline(timeline);
  }
  return ExitCode::kOk;
}

// The replicas `name` names: one, or every replica of a deployment.
Result<std::vector<ReplicaEntry>> FindReplicas(const StateDir& state, const ReplicaName& name) {
  Result<std::vector<ReplicaEntry>> entries = state.List(name.deployment);
  if (!entries.ok()) return entries.status();
  if (entries->empty() && !ControllerRuns(state, name.deployment)) {
    return Status::Error("no VM of deployment " + name.deployment + " (see 'i2kit-host ps')");
  }
  if (!name.replica) return entries;
  std::string names;
  for (const ReplicaEntry& entry : *entries) {
    if (entry.replica == *name.replica) return std::vector<ReplicaEntry>{entry};
    names += (names.empty() ? "" : ", ") + entry.name();
  }
  return Status::Error("no replica " + name.deployment + "/" + std::to_string(*name.replica) +
                       " (there is " + names + ")");
}

// One replica's console, read as it grows; lines are printed whole, prefixed with the
// replica's name when several replicas are shown together.
struct ConsoleStream {
  explicit ConsoleStream(const ReplicaEntry& e)
      : entry(e), follower(e.dir + "/" + kConsoleLogFile) {}
  ReplicaEntry entry;
  LogFollower follower;
  std::string carry;
};

void Print(ConsoleStream& stream, const std::string& text, bool prefix, bool flush_partial,
           const std::string& container, std::ostream& out) {
  std::string label = prefix ? stream.entry.name() + " | " : "";
  if (container.empty()) {
    out << TakeLines(stream.carry, text, label, flush_partial) << std::flush;
    return;
  }
  std::string own = ContainerOutput(TakeLines(stream.carry, text, "", flush_partial), container);
  std::string carry;
  out << TakeLines(carry, own, label, true) << std::flush;
}

// Follows the consoles until Ctrl-C, or until nothing named is left running: a replica that
// exits is followed to its last line, and a deployment's new replicas (replacements, an
// update) are followed as they appear.
ExitCode Follow(const StateDir& state, const ReplicaName& name,
                std::vector<std::unique_ptr<ConsoleStream>> streams, bool prefix,
                const std::string& container, Console& console) {
  Result<SignalWatch> signals = SignalWatch::Create();
  if (!signals.ok()) {
    console.err << "error: " << signals.status().message() << "\n";
    return ExitCode::kFailure;
  }
  std::set<int> seen;
  for (const auto& stream : streams) seen.insert(stream->entry.replica);
  for (;;) {
    pollfd p{signals->fd(), POLLIN, 0};
    ::poll(&p, 1, kFollowTickMs);
    if (!name.replica) {
      Result<std::vector<ReplicaEntry>> entries = state.List(name.deployment);
      for (const ReplicaEntry& entry : entries.ok() ? *entries : std::vector<ReplicaEntry>{}) {
        if (seen.insert(entry.replica).second) {
          streams.push_back(std::make_unique<ConsoleStream>(entry));
          prefix = prefix || seen.size() > 1;
        }
      }
    }
    for (auto it = streams.begin(); it != streams.end();) {
      ConsoleStream& stream = **it;
      // Looked at before reading, so that nothing written before the VM exited is missed.
      bool alive = IsLockHeld(stream.entry.dir + "/" + kAliveLockFile);
      Result<std::string> text = stream.follower.ReadNew();
      if (text.ok()) Print(stream, *text, prefix, !alive, container, console.out);
      it = alive && text.ok() ? it + 1 : streams.erase(it);
    }
    if ((p.revents & POLLIN) != 0 && signals.value().Take()) return ExitCode::kOk;
    bool more_may_come = !name.replica && ControllerRuns(state, name.deployment);
    if (streams.empty() && !more_may_come) return ExitCode::kOk;
  }
}

ExitCode RunLogs(const LogsOptions& options, Console& console) {
  Result<ReplicaName> name = ParseReplicaName(options.name);
  if (!name.ok()) {
    console.err << "error: " << name.status().message() << "\n";
    return ExitCode::kUsage;
  }
  StateDir state(StateDir::DefaultRoot());
  Result<std::vector<ReplicaEntry>> entries = FindReplicas(state, *name);
  if (!entries.ok()) {
    console.err << "error: " << entries.status().message() << "\n";
    return ExitCode::kFailure;
  }
  if (options.timeline) return PrintTimelines(*entries, console);
  bool prefix = entries->size() > 1;
  std::vector<std::unique_ptr<ConsoleStream>> streams;
  for (const ReplicaEntry& entry : *entries) {
    auto stream = std::make_unique<ConsoleStream>(entry);
    // Everything there is now (its last lines with -n), then, with -f, what comes.
    Result<std::string> all = stream->follower.ReadNew();
    if (!all.ok()) {
      console.err << "error: " << all.status().message() << "\n";
      return ExitCode::kFailure;
    }
    std::string text = *all;
    if (options.tail >= 0) {
      // The last lines of what is shown: of the container's output with -c.
      std::string shown =
          options.container.empty() ? *all : ContainerOutput(*all, options.container);
      text.clear();
      for (const std::string& line : LastLines(shown, static_cast<size_t>(options.tail))) {
        text += line + "\n";
      }
    } else if (options.follow && !all->empty() && all->back() != '\n') {
      // A partial last line is completed by what follows.
      size_t cut = all->rfind('\n');
      stream->carry = all->substr(cut == std::string::npos ? 0 : cut + 1);
      text = cut == std::string::npos ? "" : all->substr(0, cut + 1);
    }
    Print(*stream, text, prefix, !options.follow,
          options.tail >= 0 ? std::string() : options.container, console.out);
    streams.push_back(std::move(stream));
  }
  if (!options.follow) return ExitCode::kOk;
  return Follow(state, *name, std::move(streams), prefix, options.container, console);
}

}  // namespace

CommandRunner SetupLogs(CLI::App& sub) {
  auto options = std::make_shared<LogsOptions>();
  sub.add_option("name", options->name,
                 "DEPLOYMENT or DEPLOYMENT/REPLICA (as 'i2kit-host ps' lists them)")
      ->required();
  CLI::Option* timeline = sub.add_flag(
      "--timeline", options->timeline,
      "Print each replica's boot timeline instead: when each phase ended (QEMU started, the "
      "kernel's start, /init, the agent's set-up, each container run, started and ready, "
      "the Pod ready, seen ready by the host, in the balancer), on the host's and the guest's "
      "clocks");
  sub.add_flag("-f,--follow", options->follow,
               "Keep printing as the VMs write (a deployment's new replicas included), until "
               "none runs");
  sub.add_option("-n,--tail", options->tail, "Only the last N lines")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("-c,--container", options->container,
                 "Only what this container wrote (stdout and stderr), without its name");
  for (const char* other : {"--follow", "--tail", "--container"}) timeline->excludes(other);
  return [options](Console& console) { return RunLogs(*options, console); };
}

}  // namespace i2kit
