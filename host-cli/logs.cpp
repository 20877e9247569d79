// i2kit-host logs NAME[/REPLICA] [-f]: prints a replica's console log (the kernel's and the
// agent's messages, the containers' output the agent forwards); -f follows it until the VM
// exits or Ctrl-C.
#include <poll.h>

#include <memory>
#include <ostream>

#include "host-cli/command.h"
#include "host-cli/console_log.h"
#include "host-cli/signal_watch.h"
#include "host-cli/state_dir.h"

namespace i2kit {
namespace {

constexpr int kFollowTickMs = 250;

struct LogsOptions {
  std::string name;
  bool follow = false;
  int tail = -1;
};

// The one replica `text` names; a deployment name alone will do when it has one replica.
Result<ReplicaEntry> FindReplica(const StateDir& state, const ReplicaName& name) {
  Result<std::vector<ReplicaEntry>> entries = state.List(name.deployment);
  if (!entries.ok()) return entries.status();
  if (entries->empty()) {
    return Status::Error("no VM of deployment " + name.deployment + " (see 'i2kit-host ps')");
  }
  std::string names;
  for (const ReplicaEntry& entry : *entries) {
    if (name.replica && entry.replica == *name.replica) return entry;
    names += (names.empty() ? "" : ", ") + entry.name();
  }
  if (name.replica) {
    return Status::Error("no replica " + name.deployment + "/" + std::to_string(*name.replica) +
                         " (there is " + names + ")");
  }
  if (entries->size() > 1) {
    return Status::Error(name.deployment + " has " + std::to_string(entries->size()) +
                         " replicas; name one: " + names);
  }
  return entries->front();
}

ExitCode Follow(LogFollower& follower, const ReplicaEntry& entry, Console& console) {
  Result<SignalWatch> signals = SignalWatch::Create();
  if (!signals.ok()) {
    console.err << "error: " << signals.status().message() << "\n";
    return ExitCode::kFailure;
  }
  std::string alive_lock = entry.dir + "/" + kAliveLockFile;
  for (;;) {
    pollfd p{signals->fd(), POLLIN, 0};
    ::poll(&p, 1, kFollowTickMs);
    // Looked at before reading, so that nothing written before the VM exited is missed.
    bool alive = IsLockHeld(alive_lock);
    Result<std::string> text = follower.ReadNew();
    if (!text.ok()) {
      console.err << "error: " << text.status().message() << "\n";
      return ExitCode::kFailure;
    }
    console.out << *text << std::flush;
    if ((p.revents & POLLIN) != 0 && signals.value().Take()) return ExitCode::kOk;
    if (!alive) return ExitCode::kOk;
  }
}

ExitCode RunLogs(const LogsOptions& options, Console& console) {
  Result<ReplicaName> name = ParseReplicaName(options.name);
  if (!name.ok()) {
    console.err << "error: " << name.status().message() << "\n";
    return ExitCode::kUsage;
  }
  StateDir state(StateDir::DefaultRoot());
  Result<ReplicaEntry> entry = FindReplica(state, *name);
  if (!entry.ok()) {
    console.err << "error: " << entry.status().message() << "\n";
    return ExitCode::kFailure;
  }
  std::string path = entry->dir + "/" + kConsoleLogFile;
  LogFollower follower(path);
  if (options.tail >= 0) {
    // Skip to the end, then print the last lines of what was there.
    Result<std::string> all = follower.ReadNew();
    if (!all.ok()) {
      console.err << "error: " << all.status().message() << "\n";
      return ExitCode::kFailure;
    }
    for (const std::string& line : LastLines(*all, static_cast<size_t>(options.tail))) {
      console.out << line << "\n";
    }
  } else if (!options.follow) {
    Result<std::string> all = follower.ReadNew();
    if (!all.ok()) {
      console.err << "error: " << all.status().message() << "\n";
      return ExitCode::kFailure;
    }
    console.out << *all;
  }
  if (!options.follow) return ExitCode::kOk;
  return Follow(follower, *entry, console);
}

}  // namespace

CommandRunner SetupLogs(CLI::App& sub) {
  auto options = std::make_shared<LogsOptions>();
  sub.add_option("name", options->name,
                 "DEPLOYMENT or DEPLOYMENT/REPLICA (as 'i2kit-host ps' lists them)")
      ->required();
  sub.add_flag("-f,--follow", options->follow, "Keep printing as the VM writes, until it exits");
  sub.add_option("-n,--tail", options->tail, "Only the last N lines")
      ->check(CLI::NonNegativeNumber);
  return [options](Console& console) { return RunLogs(*options, console); };
}

}  // namespace i2kit
