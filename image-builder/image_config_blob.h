// An image configuration blob (OCI image-spec config.json; Docker's has the same fields): the
// run settings the agent needs, and the layers' uncompressed digests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/image_config.h"
#include "common/status.h"

namespace i2kit {

struct ImageConfigBlob {
  ImageConfig config;
  std::vector<std::string> diff_ids;  // rootfs.diff_ids: sha256 of each uncompressed layer tar
};

// Parses the blob `text` (`what` names it in errors). Refuses an image for another platform
// than kImageOs/kImageArchitecture when it says which it is, and invalid diff_ids.
Result<ImageConfigBlob> ParseImageConfigBlob(std::string_view text, std::string_view what);

}  // namespace i2kit
