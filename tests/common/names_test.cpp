#include "common/names.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

TEST(NamesTest, Dns1123Labels) {
  EXPECT_EQ(CheckDns1123Label("nginx-deployment"), "");
  EXPECT_EQ(CheckDns1123Label("0abc"), "");
  EXPECT_EQ(CheckDns1123Label(""), "it is empty");
  EXPECT_EQ(CheckDns1123Label("Nginx"), "it may contain only lower-case letters, digits and '-'");
  EXPECT_EQ(CheckDns1123Label("a_b"), "it may contain only lower-case letters, digits and '-'");
  EXPECT_EQ(CheckDns1123Label("-a"), "it must start and end with a letter or digit");
  EXPECT_EQ(CheckDns1123Label(std::string(64, 'a')), "it is longer than 63 characters");
  EXPECT_EQ(CheckDns1123Label(std::string(63, 'a')), "");
}

TEST(NamesTest, Dns1035LabelsStartWithALetter) {
  EXPECT_EQ(CheckDns1035Label("web"), "");
  EXPECT_EQ(CheckDns1035Label("1web"), "it must start with a letter");
}

TEST(NamesTest, PortNames) {
  EXPECT_EQ(CheckPortName("http"), "");
  EXPECT_EQ(CheckPortName("http-alt"), "");
  EXPECT_EQ(CheckPortName("8080"), "it must contain at least one letter");
  EXPECT_EQ(CheckPortName("a--b"), "it must not contain \"--\"");
  EXPECT_EQ(CheckPortName("abcdefghijklmnop"), "it is longer than 15 characters");
}

TEST(NamesTest, LabelKeysAndValues) {
  EXPECT_EQ(CheckLabelKey("app"), "");
  EXPECT_EQ(CheckLabelKey("app.kubernetes.io/name"), "");
  EXPECT_EQ(CheckLabelKey("Bad_Prefix/name"), "its prefix must be a DNS subdomain");
  EXPECT_EQ(CheckLabelKey("a b"), "its name may contain only letters, digits, '-', '_' and '.'");
  EXPECT_EQ(CheckLabelValue(""), "");
  EXPECT_EQ(CheckLabelValue("v1.2_3-x"), "");
  EXPECT_EQ(CheckLabelValue("-x"), "it must start and end with a letter or digit");
}

TEST(NamesTest, EnvVarNames) {
  EXPECT_EQ(CheckEnvVarName("PATH"), "");
  EXPECT_EQ(CheckEnvVarName("my.var"), "");
  EXPECT_EQ(CheckEnvVarName("A=B"), "it must not contain '='");
  EXPECT_EQ(CheckEnvVarName(""), "it is empty");
}

}  // namespace
}  // namespace i2kit
