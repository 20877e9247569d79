#include "image-builder/root_directory.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

TEST(RootDirectoryTest, NormalizesDotSlashAndRepeatedSlashes) {
  EXPECT_EQ(*NormalizeEntryPath("./bin/sh"), "bin/sh");
  EXPECT_EQ(*NormalizeEntryPath("bin//./sh/"), "bin/sh");
  EXPECT_EQ(*NormalizeEntryPath("./"), "");
  EXPECT_EQ(*NormalizeEntryPath("..."), "...");
}

TEST(RootDirectoryTest, RefusesAbsoluteNamesAndDotDotComponents) {
  EXPECT_FALSE(NormalizeEntryPath("/etc/passwd").ok());
  EXPECT_FALSE(NormalizeEntryPath("../escape").ok());
  EXPECT_FALSE(NormalizeEntryPath("a/../../b").ok());
  EXPECT_FALSE(NormalizeEntryPath("a/..").ok());
}

TEST(RootDirectoryTest, SplitsAPathIntoParentAndName) {
  EXPECT_EQ(SplitParent("a/b/c"), std::make_pair(std::string_view("a/b"), std::string_view("c")));
  EXPECT_EQ(SplitParent("c"), std::make_pair(std::string_view(), std::string_view("c")));
}

}  // namespace
}  // namespace i2kit
