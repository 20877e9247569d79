// The verbs of i2kit-host: one file per verb, each declaring its options on a CLI11
// subcommand and returning what runs it.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <vector>

#include "host-cli/exit_codes.h"

namespace i2kit {

// Where a command writes: results to `out`, diagnostics and progress to `err`.
struct Console {
  std::ostream& out;
  std::ostream& err;
};

using CommandRunner = std::function<ExitCode(Console&)>;

struct Command {
  const char* name;
  const char* summary;
  // Declares the verb's options and arguments on `sub`; the runner reads them once parsed.
  CommandRunner (*setup)(CLI::App& sub);
};

// The command table.
const std::vector<Command>& Commands();

// Parses `argv`, runs the chosen verb, and returns the process exit code.
int RunHostCli(int argc, const char* const* argv, Console& console);

CommandRunner SetupValidate(CLI::App& sub);
CommandRunner SetupBuild(CLI::App& sub);
CommandRunner SetupRun(CLI::App& sub);
CommandRunner SetupPush(CLI::App& sub);
CommandRunner SetupDeploy(CLI::App& sub);
CommandRunner SetupDiff(CLI::App& sub);
CommandRunner SetupStatus(CLI::App& sub);
CommandRunner SetupDelete(CLI::App& sub);
CommandRunner SetupPolicy(CLI::App& sub);
CommandRunner SetupPs(CLI::App& sub);
CommandRunner SetupLogs(CLI::App& sub);
CommandRunner SetupDown(CLI::App& sub);
CommandRunner SetupExec(CLI::App& sub);
CommandRunner SetupMetadataServe(CLI::App& sub);

}  // namespace i2kit
