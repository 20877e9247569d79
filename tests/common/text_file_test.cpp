#include "common/text_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

namespace i2kit {
namespace {

using Words = std::vector<std::string_view>;

class TextFileTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/i2kit-text-file-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    ::unlink((dir_ + "/file").c_str());
    ::rmdir(dir_.c_str());
  }
  std::string dir_;
};

TEST_F(TextFileTest, WhatIsWrittenIsReadBackAndAShorterWriteTruncates) {
  std::string path = dir_ + "/file";
  std::string big(100000, 'x');
  ASSERT_TRUE(WriteTextFile(path, big).ok());
  EXPECT_EQ(ReadTextFile(path), big);
  ASSERT_TRUE(WriteTextFile(path, "short\n").ok());
  Result<std::string> text = ReadFileText(path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "short\n");
}

TEST_F(TextFileTest, ErrorsNameThePathAndTheReason) {
  Result<std::string> missing = ReadFileText(dir_ + "/missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("open(\"" + dir_ +
                                            "/missing\") failed: ENOENT (No such file"),
            std::string::npos)
      << missing.status().message();
  EXPECT_EQ(ReadTextFile(dir_ + "/missing"), "");
  Status unwritable = WriteTextFile(dir_ + "/no/such/dir", "x");
  ASSERT_FALSE(unwritable.ok());
  EXPECT_NE(unwritable.message().find(dir_ + "/no/such/dir"), std::string::npos);
}

TEST(SplitTest, LinesKeepEmptyOnesAndALastLineWithoutNewline) {
  EXPECT_EQ(SplitLines("a\n\nb"), (Words{"a", "", "b"}));
  EXPECT_EQ(SplitLines("a\nb\n"), (Words{"a", "b"}));
  EXPECT_EQ(SplitLines(""), Words{});
}

TEST(SplitTest, WordsAreSeparatedByAnyRunOfBlanks) {
  EXPECT_EQ(SplitWords("  console=ttyS0\tpanic=-1\n quiet "),
            (Words{"console=ttyS0", "panic=-1", "quiet"}));
  EXPECT_EQ(SplitWords(" \t\n"), Words{});
}

}  // namespace
}  // namespace i2kit
