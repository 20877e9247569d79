#include "aws-client/xml_document.h"

#include <gtest/gtest.h>

namespace i2kit::aws {
namespace {

TEST(XmlDocument, ComparesNamesWithoutTheirNamespace) {
  auto document = XmlDocument::Parse(
      R"(<cf:R xmlns:cf="http://example.com/cf"><cf:Stacks><member>a</member></cf:Stacks></cf:R>)");
  ASSERT_TRUE(document.ok()) << document.status().message();
  EXPECT_EQ(document->root().name(), "R");
  ASSERT_EQ(document->root().Members("Stacks").size(), 1u);
  EXPECT_EQ(document->root().Members("Stacks")[0].Text(), "a");
}

TEST(XmlDocument, TextKeepsDocumentOrderAcrossChildren) {
  auto document = XmlDocument::Parse("<a>one <b>two <c>three</c></b> four&amp;</a>");
  ASSERT_TRUE(document.ok()) << document.status().message();
  EXPECT_EQ(document->root().Text(), "one two three four&");
  EXPECT_EQ(document->root().TextOrEmpty("b/c"), "three");
}

TEST(XmlDocument, ChildrenAreInDocumentOrder) {
  auto document = XmlDocument::Parse("<a><x>1</x><y>2</y><x>3</x></a>");
  ASSERT_TRUE(document.ok());
  std::vector<XmlElement> xs = document->root().Children("x");
  ASSERT_EQ(xs.size(), 2u);
  EXPECT_EQ(xs[0].Text(), "1");
  EXPECT_EQ(xs[1].Text(), "3");
  EXPECT_EQ(document->root().Children().size(), 3u);
}

TEST(XmlDocument, TextAtNamesAMissingPath) {
  auto document = XmlDocument::Parse("<a><b/></a>");
  ASSERT_TRUE(document.ok());
  Result<std::string> text = document->root().TextAt("b/c");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("b/c"), std::string::npos);
}

TEST(XmlDocument, RefusesADoctype) {
  auto document = XmlDocument::Parse(
      "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY e \"boom\">]>\n<a>&e;</a>");
  ASSERT_FALSE(document.ok());
  EXPECT_NE(document.status().message().find("DOCTYPE"), std::string::npos);
}

TEST(XmlDocument, ReportsTheLineOfAnError) {
  auto document = XmlDocument::Parse("<a>\n<b>\n</a>");
  ASSERT_FALSE(document.ok());
  EXPECT_NE(document.status().message().find("line 3"), std::string::npos)
      << document.status().message();
}

TEST(XmlDocument, StaysValidAfterAMove) {
  auto parsed = XmlDocument::Parse("<a><b>text</b></a>");
  ASSERT_TRUE(parsed.ok());
  XmlDocument document = std::move(parsed).value();
  EXPECT_EQ(document.root().TextOrEmpty("b"), "text");
}

}  // namespace
}  // namespace i2kit::aws
