#include "image-builder/image_config_blob.h"

#include "image-builder/parse_json.h"
#include "image-builder/resolved_image.h"
#include "image-builder/sha256.h"

namespace i2kit {

Result<ImageConfigBlob> ParseImageConfigBlob(std::string_view text, std::string_view what) {
  Result<nlohmann::json> json = ParseJson(text, what);
  if (!json.ok()) return json.status();
  if (!json->is_object()) return Status::Error(std::string(what) + ": expected a JSON object");

  // Both fields are required by the spec; an old or hand-made config may lack them, and then
  // only running it can tell.
  std::string os = StringField(*json, "os");
  std::string architecture = StringField(*json, "architecture");
  if ((!os.empty() && os != kImageOs) ||
      (!architecture.empty() && architecture != kImageArchitecture)) {
    return Status::Error(std::string(what) + ": the image is for " + os + "/" + architecture +
                         ", but Pod VMs run " + kImageOs + "/" + kImageArchitecture);
  }

  ImageConfigBlob blob;
  Result<ImageConfig> config = ImageConfigFromOci(*json);
  if (!config.ok()) return config.status().WithContext(what);
  blob.config = std::move(config).value();

  auto rootfs = json->find("rootfs");
  if (rootfs == json->end() || !rootfs->is_object()) return blob;
  auto diff_ids = rootfs->find("diff_ids");
  if (diff_ids == rootfs->end() || diff_ids->is_null()) return blob;
  if (!diff_ids->is_array())
    return Status::Error(std::string(what) + ": rootfs.diff_ids: expected a list");
  for (const nlohmann::json& id : *diff_ids) {
    std::string digest = id.is_string() ? id.get<std::string>() : "";
    Status valid = CheckSha256Digest(digest);
    if (!valid.ok()) return valid.WithContext(std::string(what) + ": rootfs.diff_ids");
    blob.diff_ids.push_back(std::move(digest));
  }
  return blob;
}

}  // namespace i2kit
