#include "aws-client/shared_config_file.h"

#include <gtest/gtest.h>

namespace i2kit::aws {
namespace {

TEST(SharedConfigFileTest, ReadsSectionsKeysAndLines) {
  Result<SharedConfigFile> file = ParseSharedConfigFile(
      "# written by aws configure\n"
      "[default]\n"
      "region = eu-west-1\n"
      "\n"
      "[profile dev]\n"
      "  ; indented comment\n"
      "Output: json\n"
      "s3 =\n"
      "  max_concurrent_requests = 20\n"
      "aws_secret_access_key = abc=def\n",
      "/home/u/.aws/config");
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_EQ(file->sections.size(), 2u);
  const ConfigSection* dev = file->Find("profile dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->line, 5);
  ASSERT_NE(dev->Find("output"), nullptr);  // keys are lower-cased, ':' separates too
  EXPECT_EQ(dev->Find("output")->value, "json");
  EXPECT_EQ(dev->Find("output")->line, 7);
  EXPECT_EQ(dev->Find("s3")->value, "\nmax_concurrent_requests = 20");
  EXPECT_EQ(dev->Find("max_concurrent_requests"), nullptr);
  EXPECT_EQ(dev->Find("aws_secret_access_key")->value, "abc=def");
  EXPECT_EQ(file->Find("default")->Find("region")->value, "eu-west-1");
  EXPECT_EQ(file->Find("dev"), nullptr);
}

TEST(SharedConfigFileTest, AcceptsWindowsLineEndingsAndAnEmptyFile) {
  Result<SharedConfigFile> file = ParseSharedConfigFile("[default]\r\nregion = us-east-1\r\n", "c");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->Find("default")->Find("region")->value, "us-east-1");
  EXPECT_TRUE(ParseSharedConfigFile("", "c")->sections.empty());
}

TEST(SharedConfigFileTest, NamesFileAndLineOfALineThatDoesNotParse) {
  Result<SharedConfigFile> file =
      ParseSharedConfigFile("[default]\nregion = eu-west-1\nnonsense\n", "/h/.aws/config");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(),
            "/h/.aws/config:3: expected '[section]', 'key = value' or a comment, got 'nonsense'");
}

TEST(SharedConfigFileTest, RejectsAnUnclosedSection) {
  Result<SharedConfigFile> file = ParseSharedConfigFile("[default\n", "creds");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), "creds:1: expected a section header '[name]', got '[default'");
  EXPECT_FALSE(ParseSharedConfigFile("[ ]\n", "creds").ok());
}

TEST(SharedConfigFileTest, RejectsAKeyBeforeAnySection) {
  Result<SharedConfigFile> file = ParseSharedConfigFile("region = x\n", "creds");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(),
            "creds:1: expected a '[section]' before the first key, got 'region = x'");
  EXPECT_FALSE(ParseSharedConfigFile("[default]\n= x\n", "creds").ok());
}

TEST(SharedConfigFileTest, RejectsASectionThatAppearsTwice) {
  Result<SharedConfigFile> file = ParseSharedConfigFile("[a]\nx=1\n[b]\n[a]\n", "creds");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(),
            "creds:4: expected each section once ([a] is also at line 1), got '[a]'");
}

}  // namespace
}  // namespace i2kit::aws
