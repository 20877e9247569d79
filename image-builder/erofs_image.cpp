#include "image-builder/erofs_image.h"

#include <unistd.h>

#include <cstdio>
#include <vector>

#include "common/sys_error.h"
#include "image-builder/run_tool.h"

namespace i2kit {
namespace {

// A relative path starting with "-" would read as an option.
std::string AsOperand(const std::filesystem::path& path) {
  return path.string().starts_with('-') ? "./" + path.string() : path.string();
}

}  // namespace

Status PackErofs(const std::filesystem::path& root, const std::filesystem::path& image,
                 const ErofsOptions& options) {
  // Written beside the target and renamed over it: a failed run never leaves a truncated
  // image where a good one is expected.
  std::filesystem::path partial = image;
  partial += ".partial";
  std::vector<std::string> argv = {
      "mkfs.erofs",
      "--quiet",
      "-T" + std::to_string(options.timestamp),
      "-U" + options.uuid,
  };
  if (!options.compressor.empty()) {
    argv.push_back("-z" + options.compressor);
    argv.push_back("-C" + std::to_string(options.max_pcluster_bytes));
  }
  if (options.all_root) argv.push_back("--all-root");
  argv.push_back(AsOperand(partial));
  argv.push_back(AsOperand(root));

  Result<ToolOutput> packed = RunTool(argv);
  if (!packed.ok()) {
    ::unlink(partial.c_str());
    return packed.status().WithContext("packing " + root.string() + " into " + image.string());
  }
  if (std::rename(partial.c_str(), image.c_str()) != 0) return SysError("rename", image.string());
  return Status::Ok();
}

}  // namespace i2kit
