#include <ostream>

#include "common/version.h"
#include "host-cli/command.h"

namespace i2kit {

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"validate", "Check manifests and print every problem, or the normalized model",
       SetupValidate},
      {"build", "Build the Pod VM of every Deployment: kernel, initrd, one disk per container",
       SetupBuild},
      {"run", "Boot a Pod VM under QEMU from its artifacts (foreground, or -d until ready)",
       SetupRun},
      {"ps", "List the local Pod VMs with their state, pid, age and ports", SetupPs},
      {"logs", "Print (or follow) a Pod VM's console log", SetupLogs},
      {"down", "Stop Pod VMs cleanly and remove their state", SetupDown},
  };
  return kCommands;
}

int RunHostCli(int argc, const char* const* argv, Console& console) {
  CLI::App app("i2kit-host: one Pod = one minimal, immutable VM", "i2kit-host");
  app.set_version_flag("--version", std::string("i2kit-host ") + kVersion);
  app.require_subcommand(1);
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
  return static_cast<int>(runner(console));
}

}  // namespace i2kit
