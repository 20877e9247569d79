// Helpers for manifest tests: read YAML text as a file named "test.yml" and look for a
// diagnostic at a line and column.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/kubernetes_volumes.h"
#include "common/manifest_reader.h"

namespace i2kit::testing {

inline LoadedManifest Read(const std::string& yaml, bool strict = false) {
  LoadedManifest loaded;
  ReadManifestText(yaml, "test.yml", loaded.manifest, loaded.diagnostics);
  ResolveVolumeClaims(loaded.manifest, loaded.diagnostics);
  CheckManifest(loaded.manifest, loaded.diagnostics);
  if (strict) loaded.diagnostics.MakeStrictErrors();
  loaded.diagnostics.SortByLocation();
  return loaded;
}

// The text of examples/NAME in the source tree.
inline std::string ReadExample(const std::string& name) {
  std::ifstream file(std::string(I2KIT_SOURCE_DIR) + "/examples/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

inline std::string AllDiagnostics(const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics.all()) out += d.Format() + "\n";
  return out;
}

// True when some diagnostic of `severity` sits at line:column (0 = any) and its formatted
// text contains `text`.
inline ::testing::AssertionResult HasDiagnostic(const LoadedManifest& loaded, Severity severity,
                                                int line, int column, const std::string& text) {
  for (const Diagnostic& d : loaded.diagnostics.all()) {
    if (d.severity != severity) continue;
    if (line != 0 && d.where.line != line) continue;
    if (column != 0 && d.where.column != column) continue;
    if (d.Format().find(text) != std::string::npos) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "no " << (severity == Severity::kError ? "error" : "warning") << " at " << line << ":"
         << column << " containing '" << text << "' among:\n"
         << AllDiagnostics(loaded.diagnostics);
}

inline ::testing::AssertionResult HasError(const LoadedManifest& loaded, int line, int column,
                                           const std::string& text) {
  return HasDiagnostic(loaded, Severity::kError, line, column, text);
}

inline ::testing::AssertionResult HasWarning(const LoadedManifest& loaded, int line, int column,
                                             const std::string& text) {
  return HasDiagnostic(loaded, Severity::kWarning, line, column, text);
}

inline ::testing::AssertionResult IsValid(const LoadedManifest& loaded) {
  if (loaded.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << AllDiagnostics(loaded.diagnostics);
}

}  // namespace i2kit::testing
