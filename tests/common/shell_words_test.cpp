#include "common/shell_words.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

using Words = std::vector<std::string>;

Words Split(const char* line) {
  Result<Words> r = SplitShellWords(line);
  EXPECT_TRUE(r.ok()) << line;
  return r.ok() ? *r : Words{"<error>"};
}

TEST(ShellWordsTest, SplitsOnWhitespace) {
  EXPECT_EQ(Split("nginx -g  daemon"), (Words{"nginx", "-g", "daemon"}));
  EXPECT_EQ(Split("  "), Words{});
}

TEST(ShellWordsTest, KeepsQuotedTextTogether) {
  EXPECT_EQ(Split("nginx -g 'daemon off;'"), (Words{"nginx", "-g", "daemon off;"}));
  EXPECT_EQ(Split("echo \"a \\\"b\\\" $c\""), (Words{"echo", "a \"b\" $c"}));
  EXPECT_EQ(Split("echo 'it''s'"), (Words{"echo", "its"}));
  EXPECT_EQ(Split("a '' b"), (Words{"a", "", "b"}));
  EXPECT_EQ(Split("a\\ b c"), (Words{"a b", "c"}));
}

TEST(ShellWordsTest, RejectsUnterminatedQuotes) {
  Result<Words> r = SplitShellWords("echo 'oops");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "unterminated single quote in command 'echo 'oops'");
  EXPECT_FALSE(SplitShellWords("echo \"oops").ok());
}

TEST(ShellWordsTest, FindsUnquotedOperatorsOnly) {
  EXPECT_EQ(FindUnquotedShellOperator("a && b"), "&&");
  EXPECT_EQ(FindUnquotedShellOperator("echo $HOME"), "$");
  EXPECT_EQ(FindUnquotedShellOperator("a | b"), "|");
  EXPECT_EQ(FindUnquotedShellOperator("nginx -g 'daemon off;'"), "");
  EXPECT_EQ(FindUnquotedShellOperator("echo \"a > b\""), "");
}

}  // namespace
}  // namespace i2kit
