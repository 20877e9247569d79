// Reads manifest files — any mix of i2kit short-format documents and Kubernetes objects,
// several per file — into one Manifest, collecting every problem with its location.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostics.h"
#include "common/pod_model.h"

namespace i2kit {

// At most this many problems are reported per file; the rest are summarized in one line.
inline constexpr int kMaxDiagnosticsPerFile = 100;

struct ReadOptions {
  bool strict = false;  // unknown fields and kinds with no meaning here are errors
};

// Reads every document of `text`, named `file` in diagnostics, appending to `out`.
void ReadManifestText(std::string_view text, const std::string& file, Manifest& out,
                      Diagnostics& diagnostics);

// Reads the file at `path`; a missing, unreadable or oversized file is one diagnostic.
void ReadManifestFile(const std::string& path, Manifest& out, Diagnostics& diagnostics);

// Checks what only the whole set shows: names used twice, Service selectors that match no
// Deployment, Service target ports no selected container exposes, DNS name collisions.
void CheckManifest(const Manifest& manifest, Diagnostics& diagnostics);

struct LoadedManifest {
  Manifest manifest;
  Diagnostics diagnostics;
  bool ok() const { return !diagnostics.has_errors(); }
};

// Reads all `paths`, checks the whole, applies `options`; diagnostics sorted by location.
LoadedManifest LoadManifests(const std::vector<std::string>& paths, const ReadOptions& options);

}  // namespace i2kit
