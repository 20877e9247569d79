#include "common/yaml_fields.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cstring>
#include <sstream>

namespace i2kit {
namespace {

// Position of the first byte that is NUL or not valid UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or npos.
size_t FindInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return i;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // the allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf)
      len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

SourceLocation LocationOfOffset(const std::string& file, std::string_view text, size_t offset) {
  SourceLocation where{file, 1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++where.line;
      where.column = 1;
    } else {
      ++where.column;
    }
  }
  return where;
}

// yaml-cpp 0.7's parser stops advancing on some invalid input (a ',' outside a flow
// collection, upstream issue #1040), and LoadAll() then appends empty documents forever. A first
// pass over the parse events finds that: a document that starts where the previous one did.
class ProgressCheck : public YAML::EventHandler {
 public:
  bool stuck() const { return stuck_; }
  const YAML::Mark& mark() const { return last_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (started_ && mark.pos == last_.pos) stuck_ = true;
    started_ = true;
    last_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  bool started_ = false;
  bool stuck_ = false;
  YAML::Mark last_ = YAML::Mark::null_mark();
};

// Edit distance, for "did you mean" suggestions; inputs are short keys.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t cost = std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// A plain (unquoted) scalar; quoted scalars carry the non-specific tag "!".
bool IsPlainScalar(const YAML::Node& node) {
  return node.IsScalar() && node.Tag() != "!";
}

}  // namespace

SourceLocation YamlContext::Where(const YAML::Node& node) const {
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

void YamlContext::Error(const YAML::Node& node, std::string what, std::string expected) const {
  diagnostics->Error(Where(node), std::move(what), std::move(expected));
}

void YamlContext::Warning(const YAML::Node& node, std::string what, std::string expected,
                          WarningKind kind) const {
  diagnostics->Warning(Where(node), std::move(what), std::move(expected), kind);
}

std::vector<YAML::Node> LoadYamlDocuments(std::string_view text, const YamlContext& ctx) {
  Diagnostics& diags = *ctx.diagnostics;
  if (text.size() > kMaxManifestBytes) {
    diags.Error({ctx.file, 0, 0}, "file is " + std::to_string(text.size()) + " bytes",
                "a manifest of at most " + std::to_string(kMaxManifestBytes) + " bytes");
    return {};
  }
  if (size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    diags.Error(LocationOfOffset(ctx.file, text, bad),
                text[bad] == '\0' ? "file contains a NUL byte" : "file is not valid UTF-8",
                "a YAML text file");
    return {};
  }
  std::vector<YAML::Node> documents;
  try {
    std::istringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    ProgressCheck check;
    while (parser.HandleNextDocument(check)) {
      if (!check.stuck()) continue;
      YAML::Mark at = check.mark();
      char c = static_cast<size_t>(at.pos) < text.size() ? text[static_cast<size_t>(at.pos)] : ' ';
      diags.Error({ctx.file, at.line + 1, at.column + 1},
                  std::string("YAML syntax: unexpected '") + c + "'",
                  "',' only between the items of a [list] or {mapping}");
      return {};
    }
    for (YAML::Node& doc : YAML::LoadAll(std::string(text))) {
      if (!doc.IsNull()) documents.push_back(doc);
    }
  } catch (const YAML::DeepRecursion& e) {
    diags.Error({ctx.file, e.mark.line + 1, e.mark.column + 1},
                "YAML nesting is " + std::to_string(e.depth()) + " levels deep",
                "a manifest nested a few dozen levels at most");
    return {};
  } catch (const YAML::Exception& e) {
    SourceLocation where{ctx.file, 0, 0};
    if (!e.mark.is_null()) where = {ctx.file, e.mark.line + 1, e.mark.column + 1};
    std::string what = "YAML syntax: " + e.msg;
    std::string expected;
    if (text.find('\t') != std::string_view::npos)
      expected = "indentation with spaces; YAML forbids tabs";
    diags.Error(where, what, expected);
    return {};
  } catch (const std::exception& e) {
    // yaml-cpp signals a few malformed inputs with standard exceptions; never let one escape.
    diags.Error({ctx.file, 0, 0}, std::string("YAML could not be read: ") + e.what());
    return {};
  }
  return documents;
}

const char* YamlKindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "null";
  }
  return "?";
}

std::optional<std::string> ReadString(const YamlContext& ctx, const YAML::Node& node,
                                      const std::string& path) {
  if (!node.IsScalar()) {
    ctx.Error(node, path + ": got " + std::string(YamlKindName(node)), "a string");
    return std::nullopt;
  }
  // The file was valid UTF-8 without NULs, but the escape "\0" can still put a NUL in a value.
  if (FindInvalidUtf8(node.Scalar()) != std::string_view::npos) {
    ctx.Error(node, path + ": an escape sequence makes the value invalid UTF-8 or puts a NUL in it",
              "text without NUL characters");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<int64_t> ReadInt(const YamlContext& ctx, const YAML::Node& node,
                               const std::string& path, int64_t min, int64_t max) {
  std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!IsPlainScalar(node)) {
    ctx.Error(node, path + ": got " + (node.IsScalar() ? "a quoted string" : YamlKindName(node)),
              range);
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  size_t digits_from = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  bool well_formed = s.size() > digits_from && s.size() - digits_from <= 18 &&
                     s.find_first_not_of("0123456789", digits_from) == std::string::npos;
  if (!well_formed) {
    ctx.Error(node, path + ": '" + s + "' is not an integer", range);
    return std::nullopt;
  }
  int64_t value = std::stoll(s);
  if (value < min || value > max) {
    ctx.Error(node, path + ": " + s + " is out of range", range);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ReadBool(const YamlContext& ctx, const YAML::Node& node,
                             const std::string& path) {
  if (IsPlainScalar(node)) {
    // YAML 1.1 spellings too: Kubernetes reads manifests with YAML 1.1 rules.
    static const std::set<std::string> kTrue = {"true", "True", "TRUE", "yes", "Yes",
                                                "YES",  "on",   "On",   "ON"};
    static const std::set<std::string> kFalse = {"false", "False", "FALSE", "no", "No",
                                                 "NO",    "off",   "Off",   "OFF"};
    if (kTrue.count(node.Scalar())) return true;
    if (kFalse.count(node.Scalar())) return false;
  }
  std::string got = node.IsScalar() ? "'" + node.Scalar() + "'" : YamlKindName(node);
  ctx.Error(node, path + ": got " + got, "true or false");
  return std::nullopt;
}

std::optional<std::vector<std::string>> ReadStringList(const YamlContext& ctx,
                                                       const YAML::Node& node,
                                                       const std::string& path) {
  if (!node.IsSequence()) {
    ctx.Error(node, path + ": got " + std::string(YamlKindName(node)), "a list of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < node.size(); ++i) {
    std::optional<std::string> s = ReadString(ctx, node[i], path + "[" + std::to_string(i) + "]");
    if (s)
      out.push_back(*s);
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>> ReadStringMap(const YamlContext& ctx,
                                                                const YAML::Node& node,
                                                                const std::string& path) {
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return std::nullopt;
  std::map<std::string, std::string> out;
  bool ok = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) continue;  // reported by YamlFields
    const std::string& key = it->first.Scalar();
    std::optional<std::string> value = fields.String(key);
    if (value)
      out[key] = *value;
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

YamlFields::YamlFields(const YamlContext& ctx, const YAML::Node& node, std::string path)
    : ctx_(ctx), node_(node), path_(std::move(path)) {
  if (!node.IsMap()) {
    ctx.Error(node,
              (path_.empty() ? std::string("document") : path_) + ": got " + YamlKindName(node),
              "a mapping");
    return;
  }
  is_mapping_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      ctx.Error(it->first, Child("<key>") + ": a key is " + YamlKindName(it->first),
                "a string key");
      continue;
    }
    const std::string& key = it->first.Scalar();
    if (entries_.count(key)) {
      ctx.Error(it->first, Child(key) + ": duplicate key", "each key once per mapping");
      continue;
    }
    entries_.emplace(key, std::make_pair(it->first, it->second));
    order_.push_back(key);
  }
}

std::string YamlFields::Child(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::optional<YAML::Node> YamlFields::Get(std::string_view key) {
  handled_.emplace(key);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.second.IsNull()) return std::nullopt;
  return it->second.second;
}

std::optional<YAML::Node> YamlFields::Require(std::string_view key, std::string_view expected) {
  std::optional<YAML::Node> value = Get(key);
  if (!value && is_mapping_) {
    ctx_.Error(node_, Child(key) + ": missing", std::string(expected));
  }
  return value;
}

std::optional<std::string> YamlFields::String(std::string_view key) {
  std::optional<YAML::Node> value = Get(key);
  if (!value) return std::nullopt;
  return ReadString(ctx_, *value, Child(key));
}

std::optional<int64_t> YamlFields::Int(std::string_view key, int64_t min, int64_t max) {
  std::optional<YAML::Node> value = Get(key);
  if (!value) return std::nullopt;
  return ReadInt(ctx_, *value, Child(key), min, max);
}

std::optional<bool> YamlFields::Bool(std::string_view key) {
  std::optional<YAML::Node> value = Get(key);
  if (!value) return std::nullopt;
  return ReadBool(ctx_, *value, Child(key));
}

void YamlFields::Unsupported(std::string_view key, std::string_view why) {
  handled_.emplace(key);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  ctx_.Error(it->second.first, Child(key) + " is not supported by i2kit: " + std::string(why));
}

void YamlFields::Ignored(std::string_view key, std::string_view why) {
  handled_.emplace(key);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  ctx_.Warning(it->second.first, Child(key) + " is ignored: " + std::string(why));
}

void YamlFields::WarnUnknown() {
  for (const std::string& key : order_) {
    if (handled_.count(key)) continue;
    std::string expected;
    size_t best = 3;  // only suggest names within two edits
    for (const std::string& known : handled_) {
      size_t d = EditDistance(key, known);
      if (d < best) {
        best = d;
        expected = "did you mean '" + known + "'?";
      }
    }
    ctx_.diagnostics->Warning(ctx_.Where(entries_.at(key).first), Child(key) + ": unknown field",
                              expected, WarningKind::kUnknownField);
  }
}

}  // namespace i2kit
