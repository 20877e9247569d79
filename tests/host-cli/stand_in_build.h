// Artifacts that the verbs find up to date without a real build: a manifest whose image is an
// OCI layout holding only index.json (a build key reads no more; a real build fails on the
// first blob), stand-in kernel, agent and reporter files, and vm.json recording the key of
// exactly those inputs. For the tests of what run, push, deploy and diff build, and when.
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "common/manifest_reader.h"
#include "common/vm_artifacts.h"
#include "host-cli/build_tools.h"
#include "image-builder/build_key.h"

namespace i2kit::testing {

// An OCI layout in `dir` whose image "latest" has the manifest digest sha256:<`digit` × 64>;
// returns "oci:DIR:latest".
inline std::string WriteIndexOnlyLayout(const std::filesystem::path& dir, char digit = '1') {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "oci-layout") << R"({"imageLayoutVersion": "1.0.0"})";
  std::ofstream(dir / "index.json")
      << R"({"schemaVersion": 2, "manifests": [{"mediaType": )"
      << R"("application/vnd.oci.image.manifest.v1+json", "size": 400, "digest": "sha256:)"
      << std::string(64, digit)
      << R"(", "annotations": {"org.opencontainers.image.ref.name": "latest"}}]})";
  return "oci:" + dir.string() + ":latest";
}

// Stand-in kernel, agent and reporter in `dir` (building only copies them), and the options
// that name them.
struct StandInTools {
  BuildTools tools;
  std::vector<std::string> args;  // --kernel K --agent A --ec2-reporter R
};
inline StandInTools WriteStandInTools(const std::filesystem::path& dir) {
  StandInTools t;
  t.tools.kernel = (dir / "bzImage").string();
  t.tools.agent = (dir / "agent").string();
  t.tools.ec2_reporter = (dir / "reporter").string();
  for (const std::string& file : {t.tools.kernel, t.tools.agent, t.tools.ec2_reporter}) {
    std::ofstream(file) << std::filesystem::path(file).filename().string();
  }
  t.args = {"--kernel",    t.tools.kernel,   "--agent",
            t.tools.agent, "--ec2-reporter", t.tools.ec2_reporter};
  return t;
}

// The build key of `deployment` of `manifest` built with `tools` into `out`; "" if none.
inline std::string KeyOf(const std::string& manifest, const BuildTools& tools,
                         const std::filesystem::path& out) {
  LoadedManifest loaded = LoadManifests({manifest}, {});
  if (!loaded.ok() || loaded.manifest.deployments.empty()) return "";
  Result<PodVmBuildOptions> found = BuildOptionsFor(tools, out.string());
  if (!found.ok()) return "";
  PodVmBuildOptions options = *found;
  options.config_maps = loaded.manifest.config_maps;
  Result<std::optional<std::string>> key =
      BuildKeyFor(loaded.manifest.deployments.front(), options);
  return key.ok() ? key->value_or("") : "";
}

// `vm` written to OUT/<vm.deployment>/ with the files vm.json names (their bytes "x", never
// booted here), recording the key of `manifest` built with `tools`: up to date.
inline bool WriteUpToDateArtifacts(const std::string& manifest, const BuildTools& tools,
                                   const std::filesystem::path& out, VmArtifacts vm) {
  vm.build_key = KeyOf(manifest, tools, out);
  if (vm.build_key.empty()) return false;
  std::filesystem::path dir = out / vm.deployment;
  std::filesystem::create_directories(dir);
  std::vector<std::string> files = {vm.kernel, vm.initrd, vm.boot_disk};
  files.insert(files.end(), vm.disks.begin(), vm.disks.end());
  for (const std::string& file : files) {
    if (!std::filesystem::exists(dir / file)) std::ofstream(dir / file) << "x";
  }
  return WriteVmArtifacts(dir.string(), vm).ok();
}

}  // namespace i2kit::testing
