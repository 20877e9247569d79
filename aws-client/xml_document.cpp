#include "aws-client/xml_document.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <climits>

namespace i2kit::aws {
namespace {

std::string_view NameOf(const xmlNode* node) {
  return node->name ? reinterpret_cast<const char*>(node->name) : "";
}

}  // namespace

std::string_view XmlElement::name() const {
  return NameOf(node_);
}

std::string XmlElement::Text() const {
  xmlChar* content = xmlNodeGetContent(node_);
  if (!content) return "";
  std::string text(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return text;
}

std::optional<XmlElement> XmlElement::Child(std::string_view child_name) const {
  for (const xmlNode* child = node_->children; child; child = child->next) {
    if (child->type == XML_ELEMENT_NODE && NameOf(child) == child_name) return XmlElement(child);
  }
  return std::nullopt;
}

std::vector<XmlElement> XmlElement::Children(std::string_view child_name) const {
  std::vector<XmlElement> children;
  for (const xmlNode* child = node_->children; child; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    if (child_name.empty() || NameOf(child) == child_name) children.push_back(XmlElement(child));
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

void XmlDocument::Free::operator()(_xmlDoc* document) const {
  xmlFreeDoc(document);
}

Result<XmlDocument> XmlDocument::Parse(std::string_view xml) {
  if (xml.empty()) return Status::Error("empty XML document");
  if (xml.size() > INT_MAX) return Status::Error("XML document too large");
  std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> context(xmlNewParserCtxt(),
                                                                     xmlFreeParserCtxt);
  if (!context) return Status::Error("cannot allocate an XML parser");
  // NONET: never fetch; no NOENT/DTDLOAD: entities stay unexpanded and external DTDs unread.
  xmlDocPtr document =
      xmlCtxtReadMemory(context.get(), xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!document || !xmlDocGetRootElement(document)) {
    if (document) xmlFreeDoc(document);
    const xmlError* error = xmlCtxtGetLastError(context.get());
    std::string message = error && error->message ? error->message : "no root element";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    int line = error ? error->line : 0;
    return Status::Error("XML line " + std::to_string(line) + ": " + message);
  }
  return XmlDocument(document);
}

XmlElement XmlDocument::root() const {
  return XmlElement(xmlDocGetRootElement(document_.get()));
}

}  // namespace i2kit::aws
