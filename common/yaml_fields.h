// Reading YAML safely and field by field. yaml-cpp parses; this layer bounds what it is fed
// (size, encoding, nesting), and turns every type mismatch, duplicate, unsupported or unknown
// key into a Diagnostic that names the field path and its line and column.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostics.h"

namespace i2kit {

// Manifests are hand-written; anything larger is a mistake or an attack.
inline constexpr size_t kMaxManifestBytes = 4 * 1024 * 1024;

// Where diagnostics go and which file they are about.
struct YamlContext {
  std::string file;
  Diagnostics* diagnostics = nullptr;

  SourceLocation Where(const YAML::Node& node) const;
  void Error(const YAML::Node& node, std::string what, std::string expected = {}) const;
  void Warning(const YAML::Node& node, std::string what, std::string expected = {},
               WarningKind kind = WarningKind::kGeneral) const;
};

// Parses `text` as a stream of YAML documents. Rejects, with one error each, text over
// kMaxManifestBytes, NUL bytes or invalid UTF-8, and syntax errors (yaml-cpp's own nesting
// guard included). Empty documents are dropped.
std::vector<YAML::Node> LoadYamlDocuments(std::string_view text, const YamlContext& ctx);

// "scalar", "sequence", "mapping" or "null", for messages.
const char* YamlKindName(const YAML::Node& node);

// Typed views of one node; each reports a mismatch at the node and returns nullopt.
std::optional<std::string> ReadString(const YamlContext& ctx, const YAML::Node& node,
                                      const std::string& path);
std::optional<int64_t> ReadInt(const YamlContext& ctx, const YAML::Node& node,
                               const std::string& path, int64_t min, int64_t max);
std::optional<bool> ReadBool(const YamlContext& ctx, const YAML::Node& node,
                             const std::string& path);
// A sequence of strings (a single string is an error naming the expected list).
std::optional<std::vector<std::string>> ReadStringList(const YamlContext& ctx,
                                                       const YAML::Node& node,
                                                       const std::string& path);
// A mapping of string to string (labels, selectors).
std::optional<std::map<std::string, std::string>> ReadStringMap(const YamlContext& ctx,
                                                                const YAML::Node& node,
                                                                const std::string& path);

// The keys of one mapping node. Every key is either read, declared unsupported or ignored;
// whatever is left when WarnUnknown() runs is reported as an unknown field.
class YamlFields {
 public:
  // Reports an error (and holds no keys) when `node` is not a mapping; reports duplicate and
  // non-scalar keys.
  YamlFields(const YamlContext& ctx, const YAML::Node& node, std::string path);

  bool is_mapping() const { return is_mapping_; }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  const YamlContext& context() const { return ctx_; }
  // The dotted path of a child: "spec.template" + "spec" → "spec.template.spec".
  std::string Child(std::string_view key) const;

  // The value of `key`, or nullopt when absent or null; marks the key as known.
  std::optional<YAML::Node> Get(std::string_view key);
  // Like Get, and reports an error when the key is missing.
  std::optional<YAML::Node> Require(std::string_view key, std::string_view expected);

  std::optional<std::string> String(std::string_view key);
  std::optional<int64_t> Int(std::string_view key, int64_t min, int64_t max);
  std::optional<bool> Bool(std::string_view key);

  // A Kubernetes field i2kit does not do: an error when present, saying `why`.
  void Unsupported(std::string_view key, std::string_view why);
  // A Kubernetes field with no meaning for i2kit: a warning when present.
  void Ignored(std::string_view key, std::string_view why);
  // Warns (kUnknownField) about every key not yet handled, suggesting a near known name.
  void WarnUnknown();

 private:
  const YamlContext& ctx_;
  YAML::Node node_;
  std::string path_;
  bool is_mapping_ = false;
  std::map<std::string, std::pair<YAML::Node, YAML::Node>, std::less<>> entries_;
  std::vector<std::string> order_;  // keys in document order, for stable output
  std::set<std::string, std::less<>> handled_;
};

}  // namespace i2kit
