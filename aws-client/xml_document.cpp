#include "aws-client/xml_document.h"

#include <expat.h>

#include <climits>
#include <deque>

namespace i2kit::aws {

struct XmlNode {
  std::string name;  // local name, without namespace
  std::string text;  // all text inside, descendants' included, in document order
  std::vector<const XmlNode*> children;
};

// The nodes live in a deque, so pointers to them stay valid while it grows.
struct XmlTree {
  std::deque<XmlNode> nodes;
  const XmlNode* root = nullptr;
};

namespace {

// Expat reports a namespaced name as "uri<separator>local"; this separator cannot occur in
// either part of a well-formed name.
constexpr char kNamespaceSeparator = '\x01';

struct ParseState {
  XML_Parser parser = nullptr;
  XmlTree* tree = nullptr;
  std::vector<XmlNode*> open;  // the elements started and not yet ended, innermost last
  std::string refusal;         // why the parse was stopped by us, if it was
};

void OnStart(void* data, const XML_Char* qualified_name, const XML_Char**) {
  auto* state = static_cast<ParseState*>(data);
  std::string_view name(qualified_name);
  size_t separator = name.rfind(kNamespaceSeparator);
  if (separator != std::string_view::npos) name.remove_prefix(separator + 1);
  XmlNode& node = state->tree->nodes.emplace_back();
  node.name = std::string(name);
  if (state->open.empty()) {
    state->tree->root = &node;
  } else {
    state->open.back()->children.push_back(&node);
  }
  state->open.push_back(&node);
}

void OnEnd(void* data, const XML_Char*) {
  auto* state = static_cast<ParseState*>(data);
  XmlNode* node = state->open.back();
  state->open.pop_back();
  // The parent's text so far precedes this element's: appending keeps document order.
  if (!state->open.empty()) state->open.back()->text += node->text;
}

void OnText(void* data, const XML_Char* text, int length) {
  auto* state = static_cast<ParseState*>(data);
  if (!state->open.empty()) state->open.back()->text.append(text, static_cast<size_t>(length));
}

void OnDoctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  auto* state = static_cast<ParseState*>(data);
  state->refusal = "DOCTYPE refused";
  XML_StopParser(state->parser, XML_FALSE);
}

struct ParserFree {
  void operator()(XML_Parser parser) const { XML_ParserFree(parser); }
};

}  // namespace

std::string_view XmlElement::name() const {
  return node_->name;
}

std::string XmlElement::Text() const {
  return node_->text;
}

std::optional<XmlElement> XmlElement::Child(std::string_view child_name) const {
  for (const XmlNode* child : node_->children) {
    if (child->name == child_name) return XmlElement(child);
  }
  return std::nullopt;
}

std::vector<XmlElement> XmlElement::Children(std::string_view child_name) const {
  std::vector<XmlElement> children;
  for (const XmlNode* child : node_->children) {
    if (child_name.empty() || child->name == child_name) children.push_back(XmlElement(child));
  }
  return children;
}

std::optional<XmlElement> XmlElement::Find(std::string_view path) const {
  std::optional<XmlElement> element = *this;
  size_t start = 0;
  while (element && start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) element = element->Child(path.substr(start, end - start));
    start = end + 1;
  }
  return element;
}

Result<std::string> XmlElement::TextAt(std::string_view path) const {
  std::optional<XmlElement> element = Find(path);
  if (!element) {
    return Status::Error("no element " + std::string(path) + " in <" + std::string(name()) + ">");
  }
  return element->Text();
}

std::string XmlElement::TextOrEmpty(std::string_view path) const {
  std::optional<XmlElement> element = Find(path);
  return element ? element->Text() : "";
}

std::vector<XmlElement> XmlElement::Members(std::string_view path, std::string_view item) const {
  std::optional<XmlElement> list = Find(path);
  return list ? list->Children(item) : std::vector<XmlElement>();
}

XmlDocument::XmlDocument(std::unique_ptr<XmlTree> tree) : tree_(std::move(tree)) {}
XmlDocument::XmlDocument(XmlDocument&&) noexcept = default;
XmlDocument& XmlDocument::operator=(XmlDocument&&) noexcept = default;
XmlDocument::~XmlDocument() = default;

Result<XmlDocument> XmlDocument::Parse(std::string_view xml) {
  if (xml.empty()) return Status::Error("empty XML document");
  if (xml.size() > INT_MAX) return Status::Error("XML document too large");
  std::unique_ptr<XML_ParserStruct, ParserFree> parser(
      XML_ParserCreateNS(nullptr, kNamespaceSeparator));
  if (!parser) return Status::Error("cannot allocate an XML parser");
  auto tree = std::make_unique<XmlTree>();
  ParseState state{parser.get(), tree.get(), {}, {}};
  XML_SetUserData(parser.get(), &state);
  XML_SetElementHandler(parser.get(), OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser.get(), OnText);
  XML_SetStartDoctypeDeclHandler(parser.get(), OnDoctype);
  // Never read external entities or DTDs (expat's default; said here on purpose).
  XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) !=
      XML_STATUS_OK) {
    std::string message =
        !state.refusal.empty() ? state.refusal : XML_ErrorString(XML_GetErrorCode(parser.get()));
    return Status::Error("XML line " + std::to_string(XML_GetCurrentLineNumber(parser.get())) +
                         ": " + message);
  }
  if (!tree->root) return Status::Error("XML line 1: no root element");
  return XmlDocument(std::move(tree));
}

XmlElement XmlDocument::root() const {
  return XmlElement(tree_->root);
}

}  // namespace i2kit::aws
