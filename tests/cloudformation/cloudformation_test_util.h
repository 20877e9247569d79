// What the cloudformation suites share: the vendored specification subset, loaded once.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>

#include "cfn_spec_check.h"

namespace i2kit {

// The specification in tests/cloudformation/cfn-spec-subset.json; aborts the test run when it
// cannot be read, since no template test means anything without it.
inline const CfnSpec& Spec() {
  static const CfnSpec spec = [] {
    Result<CfnSpec> loaded =
        LoadCfnSpec(std::string(I2KIT_SOURCE_DIR) + "/tests/cloudformation/cfn-spec-subset.json");
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status().message();
      std::abort();
    }
    return loaded.value();
  }();
  return spec;
}

}  // namespace i2kit
