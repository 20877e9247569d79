// A small read-only view of an XML document (AWS Query-protocol responses), on expat: parse,
// walk to an element by path, read its text or its list members. Element names are compared
// without their namespace, which every AWS response declares on its root.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace i2kit::aws {

struct XmlNode;
struct XmlTree;

// An element of an XmlDocument; valid while the document lives.
class XmlElement {
 public:
  // The element's local name ("Stacks" for <cf:Stacks>).
  std::string_view name() const;
  // All the text inside the element, its descendants' included.
  std::string Text() const;
  // The first child element called `name`.
  std::optional<XmlElement> Child(std::string_view name) const;
  // Every child element called `name`, in document order; every child when `name` is empty.
  std::vector<XmlElement> Children(std::string_view name = {}) const;
  // The element at `path` below this one, names separated by '/' ("DescribeStacksResult/Stacks").
  std::optional<XmlElement> Find(std::string_view path) const;
  // The text of the element at `path`; fails naming the path when there is none.
  Result<std::string> TextAt(std::string_view path) const;
  // The text of the element at `path`, empty when there is none (AWS leaves out empty members).
  std::string TextOrEmpty(std::string_view path) const;
  // The <member> children of the element at `path`: how the Query protocol writes lists (EC2
  // writes <item>: pass it as `item`). Empty when the path does not exist (AWS leaves empty
  // lists out).
  std::vector<XmlElement> Members(std::string_view path, std::string_view item = "member") const;

 private:
  friend class XmlDocument;
  explicit XmlElement(const XmlNode* node) : node_(node) {}
  const XmlNode* node_;
};

// A parsed document; owns its element tree.
class XmlDocument {
 public:
  // Parses `xml`; a document with a DOCTYPE is refused (AWS sends none, and DTDs are where
  // entity expansion attacks live). Fails with the parser's message and line.
  static Result<XmlDocument> Parse(std::string_view xml);

  XmlDocument(XmlDocument&&) noexcept;
  XmlDocument& operator=(XmlDocument&&) noexcept;
  ~XmlDocument();

  XmlElement root() const;

 private:
  explicit XmlDocument(std::unique_ptr<XmlTree> tree);
  std::unique_ptr<XmlTree> tree_;
};

}  // namespace i2kit::aws
