// i2kit-host logs NAME[/REPLICA] [-f]: prints a replica's console log (the kernel's and the
// agent's messages, the containers' output the agent forwards), or every replica's of a
// deployment, interleaved by the time the agent logged each line and prefixed with its
// replica; -c keeps only what one container wrote, --since only what was logged since a time,
// -t shows the times; -f follows them until nothing named runs any more or Ctrl-C. --timeline
// prints each replica's boot timeline instead (local-vm/boot_timeline.h).
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
  std::string since;      // a duration back from now, or a UTC time
  bool timestamps = false;
  bool timeline = false;
};

// What --since names: "90s", "5m", "1h30m" back from `now`, or an RFC 3339 UTC time.
Result<WallTime> ParseSince(std::string_view text, WallTime now) {
  if (std::optional<WallTime> time = ParseUtcTime(text)) return *time;
  std::chrono::seconds back{0};
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t digits = 0;
    long long value = 0;
    while (digits < rest.size() && digits < 9 && rest[digits] >= '0' && rest[digits] <= '9') {
      value = value * 10 + (rest[digits++] - '0');
    }
    if (digits == 0 || digits == rest.size()) break;
    char unit = rest[digits];
    if (unit == 's') {
      back += std::chrono::seconds(value);
    } else if (unit == 'm') {
      back += std::chrono::minutes(value);
    } else if (unit == 'h') {
      back += std::chrono::hours(value);
    } else {
      break;
    }
    rest.remove_prefix(digits + 1);
  }
  if (!text.empty() && rest.empty()) return now - back;
  return Status::Error("--since " + std::string(text) +
                       ": expected a duration back from now (30s, 5m, 1h30m) or a UTC time "
                       "(2026-12-07T13:00:00Z)");
}

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

// Which lines are shown, and how.
struct Selection {
  std::string container;
  std::optional<WallTime> since;
  bool timestamps = false;
  bool prefix = false;  // several replicas shown together

  // The line as shown, if it is: -c keeps the container's output without its name.
  std::optional<std::string> Shown(const ConsoleLine& line) const {
    if (since && line.time < *since) return std::nullopt;
    std::string_view text = line.text;
    if (!container.empty()) {
      std::optional<std::string_view> own = ContainerText(text, container);
      if (!own) return std::nullopt;
      text = *own;
    }
    if (!timestamps) return std::string(text);
    // A line without a time of its own (the kernel's) shows a blank one: the time it was
    // dated with for ordering is another line's.
    return (line.own_time ? FormatConsoleTime(line.time) : std::string(kConsoleTimeLength, ' ')) +
           std::string(text);
  }
};

// One replica's console, read as it grows, in whole lines.
struct ConsoleStream {
  explicit ConsoleStream(const ReplicaEntry& e)
      : entry(e), follower(e.dir + "/" + kConsoleLogFile) {}
  ReplicaEntry entry;
  LogFollower follower;
  std::string carry;
  std::optional<WallTime> last_time;

  // The lines `text` completes (all of it when `all`) that `selection` shows.
  std::vector<ConsoleLine> Take(std::string_view text, bool all, const Selection& selection) {
    std::vector<ConsoleLine> shown;
    for (ConsoleLine& line : DatedLines(TakeLines(carry, text, all), last_time)) {
      std::optional<std::string> as_shown = selection.Shown(line);
      if (!as_shown) continue;
      line.text = std::move(*as_shown);
      shown.push_back(std::move(line));
    }
    return shown;
  }
};

// Prints the streams' lines merged by time, each stream's in its own order; ties go to the
// earlier stream.
void PrintMerged(const std::vector<std::unique_ptr<ConsoleStream>>& streams,
                 const std::vector<std::vector<ConsoleLine>>& lines, bool prefix,
                 std::ostream& out) {
  std::vector<size_t> next(lines.size(), 0);
  for (;;) {
    size_t pick = lines.size();
    for (size_t i = 0; i < lines.size(); ++i) {
      if (next[i] == lines[i].size()) continue;
      if (pick == lines.size() || lines[i][next[i]].time < lines[pick][next[pick]].time) pick = i;
    }
    if (pick == lines.size()) break;
    if (prefix) out << streams[pick]->entry.name() << " | ";
    out << lines[pick][next[pick]++].text << "\n";
  }
  out << std::flush;
}

// Follows the consoles until Ctrl-C, or until nothing named is left running: a replica that
// exits is followed to its last line, and a deployment's new replicas (replacements, an
// update) are followed as they appear.
ExitCode Follow(const StateDir& state, const ReplicaName& name,
                std::vector<std::unique_ptr<ConsoleStream>> streams, Selection selection,
                Console& console) {
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
          selection.prefix = selection.prefix || seen.size() > 1;
        }
      }
    }
    std::vector<std::vector<ConsoleLine>> lines;
    std::vector<bool> ended;
    for (auto& stream : streams) {
      // Looked at before reading, so that nothing written before the VM exited is missed.
      bool alive = IsLockHeld(stream->entry.dir + "/" + kAliveLockFile);
      Result<std::string> text = stream->follower.ReadNew();
      lines.push_back(text.ok() ? stream->Take(*text, !alive, selection)
                                : std::vector<ConsoleLine>{});
      ended.push_back(!alive || !text.ok());
    }
    PrintMerged(streams, lines, selection.prefix, console.out);
    for (size_t i = streams.size(); i-- > 0;) {
      if (ended[i]) streams.erase(streams.begin() + static_cast<std::ptrdiff_t>(i));
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
  Selection selection{options.container, std::nullopt, options.timestamps, false};
  if (!options.since.empty()) {
    Result<WallTime> since = ParseSince(options.since, std::chrono::system_clock::now());
    if (!since.ok()) {
      console.err << "error: " << since.status().message() << "\n";
      return ExitCode::kUsage;
    }
    selection.since = *since;
  }
  StateDir state(StateDir::DefaultRoot());
  Result<std::vector<ReplicaEntry>> entries = FindReplicas(state, *name);
  if (!entries.ok()) {
    console.err << "error: " << entries.status().message() << "\n";
    return ExitCode::kFailure;
  }
  if (options.timeline) return PrintTimelines(*entries, console);
  selection.prefix = entries->size() > 1;
  std::vector<std::unique_ptr<ConsoleStream>> streams;
  std::vector<std::vector<ConsoleLine>> lines;
  for (const ReplicaEntry& entry : *entries) {
    auto stream = std::make_unique<ConsoleStream>(entry);
    // Everything there is now (its last lines with -n), then, with -f, what comes: a partial
    // last line is completed by what follows.
    Result<std::string> all = stream->follower.ReadNew();
    if (!all.ok()) {
      console.err << "error: " << all.status().message() << "\n";
      return ExitCode::kFailure;
    }
    std::vector<ConsoleLine> shown = stream->Take(*all, !options.follow, selection);
    if (options.tail >= 0 && shown.size() > static_cast<size_t>(options.tail)) {
      shown.erase(shown.begin(), shown.end() - options.tail);
    }
    lines.push_back(std::move(shown));
    streams.push_back(std::move(stream));
  }
  PrintMerged(streams, lines, selection.prefix, console.out);
  if (!options.follow) return ExitCode::kOk;
  return Follow(state, *name, std::move(streams), selection, console);
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
  sub.add_option("-n,--tail", options->tail, "Only the last N lines (of each replica)")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("-c,--container", options->container,
                 "Only what this container wrote (stdout and stderr), without its name");
  sub.add_option("--since", options->since,
                 "Only lines logged since then: a duration back from now (30s, 5m, 1h30m) or a "
                 "UTC time (2026-12-07T13:00:00Z); the kernel's lines go with the agent's line "
                 "before them");
  sub.add_flag("-t,--timestamps", options->timestamps,
               "Show the time the guest agent logged each line (UTC; blank for the kernel's)");
  for (const char* other : {"--follow", "--tail", "--container", "--since", "--timestamps"}) {
    timeline->excludes(other);
  }
  return [options](Console& console) { return RunLogs(*options, console); };
}

}  // namespace i2kit
