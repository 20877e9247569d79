// libFuzzer target: any bytes given to the manifest reader end in a model or in diagnostics,
// never in a crash, a hang or unbounded memory. A crash it finds becomes a test in
// tests/common/hostile_input_test.cpp.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/manifest_reader.h"
#include "common/pod_model_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  i2kit::Manifest manifest;
  i2kit::Diagnostics diagnostics;
  i2kit::ReadManifestText(text, "fuzz.yml", manifest, diagnostics);
  i2kit::CheckManifest(manifest, diagnostics);
  for (const i2kit::Diagnostic& d : diagnostics.all()) (void)d.Format();
  // Without the replacing serializer, so that invalid UTF-8 reaching the model is a finding.
  if (!diagnostics.has_errors()) (void)i2kit::ToJson(manifest).dump();
  return 0;
}
