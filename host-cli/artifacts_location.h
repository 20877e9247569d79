// What a path on the command line of `run`, `down` and `push` stands for: an artifacts
// directory (the one holding vm.json), vm.json itself, or a manifest whose deployments `build`
// wrote to its default output, ./i2kit-out/<deployment>.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "host-cli/controller_files.h"

namespace i2kit {

// Where `i2kit-host build` writes by default, relative to the working directory.
inline constexpr const char* kDefaultOutputDir = "i2kit-out";

// The absolute directory holding vm.json when `path` is an artifacts directory or its vm.json;
// empty otherwise (a manifest).
std::string ArtifactsDirOf(const std::string& path);

// The absolute artifacts directories to boot for `path`: itself, or for a manifest each
// deployment's default output; fails telling to run `i2kit-host build FILE` first when one is
// missing.
Result<std::vector<std::string>> ArtifactsDirsFor(const std::string& path);

// The Kubernetes Services of a manifest, their named target ports resolved against the
// containers of the Deployments they select; none for an artifacts directory or vm.json.
Result<std::vector<LocalService>> LocalServicesOf(const std::string& path);

// The deployments `path` names: vm.json's, or every deployment of a manifest.
Result<std::vector<std::string>> DeploymentsOf(const std::string& path);

}  // namespace i2kit
