#include <optional>
#include <ostream>

#include "common/event_log.h"
#include "common/version.h"
#include "host-cli/command.h"

namespace i2kit {

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"validate", "Check manifests and print every problem, or the normalized model",
       SetupValidate},
      {"build", "Build the Pod VM of every Deployment: kernel, initrd, one disk per container",
       SetupBuild},
      {"run", "Run a deployment's Pod VMs behind local load balancers; run again to update it",
       SetupRun},
      {"push", "Make Pod VMs AMIs: build if need be, upload, or reuse one of the same image digest",
       SetupPush},
      {"deploy",
       "Create or update the manifests' CloudFormation stack on AWS, pushing AMIs not given "
       "(--dry-run: print it)",
       SetupDeploy},
      {"diff", "Show what deploy would change in the stack, and change nothing", SetupDiff},
      {"status", "Show a stack on AWS: its state, endpoints, instances and their health",
       SetupStatus},
      {"delete", "Delete a stack on AWS and wait until it is gone", SetupDelete},
      {"policy", "Print the IAM policy push, or deploy/diff/status/delete, needs", SetupPolicy},
      {"ps", "List the local deployments' replicas: state, restarts, pid, age, ports", SetupPs},
      {"logs", "Print (or follow) the console of a replica, or of a deployment's replicas",
       SetupLogs},
      {"down", "Stop deployments (or one VM) cleanly and remove their state", SetupDown},
      {"exec", "Run a command in a running container of a local Pod VM, as the container's user",
       SetupExec},
      {"metadata-serve", "Serve one instance-metadata request on stdin/stdout (QEMU runs it)",
       SetupMetadataServe},
  };
  return kCommands;
}

int RunHostCli(int argc, const char* const* argv, Console& console) {
  CLI::App app("i2kit-host: one Pod = one minimal, immutable VM", "i2kit-host");
  app.set_version_flag("--version", std::string("i2kit-host ") + kVersion);
  app.require_subcommand(1);
  // The host's log level (event_log.h): I2KIT_LOG_LEVEL, overridden by -v or --log-level,
  // which any verb takes too (they fall through to here).
  std::string level_name = "info";
  bool verbose = false;
  app.fallthrough();
  app.add_flag("-v,--verbose", verbose, "Log debug lines too (--log-level debug)");
  app.add_option("--log-level", level_name, "Log level: debug, info (default), warn, error, off")
      ->envname("I2KIT_LOG_LEVEL");
  CommandRunner runner;
  for (const Command& command : Commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.summary);
    CommandRunner run = command.setup(*sub);
    sub->callback([&runner, run] { runner = run; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    console.out << app.help();
    return static_cast<int>(ExitCode::kOk);
  } catch (const CLI::CallForAllHelp&) {
    console.out << app.help("", CLI::AppFormatMode::All);
    return static_cast<int>(ExitCode::kOk);
  } catch (const CLI::CallForVersion&) {
    console.out << app.version() << "\n";
    return static_cast<int>(ExitCode::kOk);
  } catch (const CLI::ParseError& e) {
    // A verb's own --help arrives here as CallForHelp raised from the subcommand.
    if (e.get_exit_code() == 0) {
      const CLI::App* chosen = app.get_subcommands().empty() ? &app : app.get_subcommands().front();
      console.out << chosen->help();
      return static_cast<int>(ExitCode::kOk);
    }
    console.err << "i2kit-host: " << e.what() << "\nRun 'i2kit-host --help' for usage.\n";
    return static_cast<int>(ExitCode::kUsage);
  }
  std::optional<LogLevel> level = verbose ? LogLevel::kDebug : ParseLogLevel(level_name);
  if (!level) {
    console.err << "i2kit-host: unknown log level '" << level_name
                << "' (debug, info, warn, error, off)\n";
    return static_cast<int>(ExitCode::kUsage);
  }
  SetHostLogLevel(*level);
  return static_cast<int>(runner(console));
}

}  // namespace i2kit
