#include "common/manifest_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/i2kit_format_reader.h"
#include "common/kubernetes_reader.h"
#include "common/kubernetes_volumes.h"
#include "common/yaml_fields.h"

namespace i2kit {
namespace {

void ReadDocument(const YamlContext& ctx, const YAML::Node& doc, Manifest& out) {
  if (!doc.IsMap()) {
    ctx.Error(doc, "document is " + std::string(YamlKindName(doc)),
              "a mapping: an i2kit manifest (name, containers) or a Kubernetes object "
              "(apiVersion, kind)");
    return;
  }
  if (doc["apiVersion"] || doc["kind"]) {
    ReadKubernetesObject(ctx, doc, out);
    return;
  }
  if (doc["containers"] || doc["name"]) {
    if (auto deployment = ReadI2kitDeployment(ctx, doc))
      out.deployments.push_back(std::move(*deployment));
    return;
  }
  ctx.Error(doc, "document is neither an i2kit manifest nor a Kubernetes object",
            "name and containers (i2kit), or apiVersion and kind (Kubernetes)");
}

}  // namespace

void ReadManifestText(std::string_view text, const std::string& file, Manifest& out,
                      Diagnostics& diagnostics) {
  Diagnostics local;
  YamlContext ctx{file, &local};
  std::vector<YAML::Node> documents = LoadYamlDocuments(text, ctx);
  if (documents.empty() && !local.has_errors()) {
    local.Error({file, 0, 0}, "file holds no manifest",
                "at least one YAML document: an i2kit manifest or a Kubernetes object");
  }
  for (const YAML::Node& doc : documents) {
    // yaml-cpp signals a few malformed inputs only when nodes are used; never let it escape.
    try {
      ReadDocument(ctx, doc, out);
    } catch (const std::exception& e) {
      local.Error(ctx.Where(doc), std::string("document could not be read: ") + e.what());
    }
  }
  local.SortByLocation();
  int kept = 0;
  for (const Diagnostic& d : local.all()) {
    if (++kept > kMaxDiagnosticsPerFile) {
      diagnostics.Error({file, 0, 0}, std::to_string(local.all().size() - kMaxDiagnosticsPerFile) +
                                          " more problems not shown");
      break;
    }
    if (d.severity == Severity::kError)
      diagnostics.Error(d.where, d.what, d.expected);
    else
      diagnostics.Warning(d.where, d.what, d.expected, d.kind);
  }
}

void ReadManifestFile(const std::string& path, Manifest& out, Diagnostics& diagnostics) {
  auto fail = [&](const std::string& what) { diagnostics.Error({path, 0, 0}, what); };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return fail("is a directory, not a manifest file");
  }
  // Read at most one byte past the limit, so a huge or endless file (a FIFO, /dev/zero) is
  // refused without being read whole.
  std::string text;
  char buffer[65536];
  while (text.size() <= kMaxManifestBytes) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      return fail(std::string("cannot read: ") + std::strerror(saved));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  if (text.size() > kMaxManifestBytes) {
    return fail("is larger than " + std::to_string(kMaxManifestBytes) +
                " bytes; a manifest is not");
  }
  ReadManifestText(text, path, out, diagnostics);
}

LoadedManifest LoadManifests(const std::vector<std::string>& paths, const ReadOptions& options) {
  LoadedManifest loaded;
  for (const std::string& path : paths) ReadManifestFile(path, loaded.manifest, loaded.diagnostics);
  ResolveVolumeClaims(loaded.manifest, loaded.diagnostics);
  CheckManifest(loaded.manifest, loaded.diagnostics);
  if (options.strict) loaded.diagnostics.MakeStrictErrors();
  loaded.diagnostics.SortByLocation();
  return loaded;
}

}  // namespace i2kit
