// Bad input never crashes or hangs the reader: each of these ends in one clean error.
#include <gtest/gtest.h>

#include "common/manifest_test_util.h"
#include "common/yaml_fields.h"

namespace i2kit {
namespace {

using testing::HasError;
using testing::Read;

TEST(HostileInputTest, EmptyFileIsAnError) {
  EXPECT_TRUE(HasError(Read(""), 0, 0, "test.yml: error: file holds no manifest"));
  EXPECT_TRUE(HasError(Read("# only a comment\n---\n"), 0, 0, "file holds no manifest"));
}

TEST(HostileInputTest, BinaryGarbageIsAnError) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 7919) % 256));
  EXPECT_TRUE(HasError(Read(garbage), 1, 1, "file contains a NUL byte"));
  EXPECT_TRUE(HasError(Read("name: caf\xe9\n"), 1, 10, "file is not valid UTF-8"));
  // Found by the fuzzer: a lead byte above U+10FFFF.
  EXPECT_TRUE(HasError(Read("name: a\xf6\x94\x96\x96\n"), 1, 8, "file is not valid UTF-8"));
  EXPECT_TRUE(
      HasError(Read("name: \xed\xa0\x80\n"), 1, 7, "file is not valid UTF-8"));      // a surrogate
  EXPECT_TRUE(HasError(Read("name: \xc0\xaf\n"), 1, 7, "file is not valid UTF-8"));  // overlong
}

TEST(HostileInputTest, TabIndentationIsExplained) {
  LoadedManifest loaded = Read("name: a\ncontainers:\n\tweb:\n\t\timage: x\n");
  EXPECT_TRUE(HasError(loaded, 0, 0, "YAML syntax"));
  EXPECT_TRUE(HasError(loaded, 0, 0, "YAML forbids tabs"));
}

TEST(HostileInputTest, WrongDocumentTypesAreErrors) {
  EXPECT_TRUE(HasError(Read("- a\n- b\n"), 1, 1, "document is a list (a mapping"));
  EXPECT_TRUE(HasError(Read("just text\n"), 1, 1, "document is a scalar"));
  EXPECT_TRUE(HasError(Read("foo: bar\n"), 1, 1,
                       "document is neither an i2kit manifest nor a Kubernetes object"));
  EXPECT_TRUE(HasError(Read("name: [a]\ncontainers: 3\n"), 1, 7, "name: got a list (a string)"));
  EXPECT_TRUE(HasError(Read("apiVersion: apps/v1\nkind: Deployment\nmetadata: 7\n"), 3, 11,
                       "metadata: got a scalar (a mapping)"));
  EXPECT_TRUE(HasError(Read("{[a]: b, name: x, containers: {}}\n"), 1, 2, "a key is a list"));
}

TEST(HostileInputTest, DeepNestingIsRefused) {
  std::string flow = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_TRUE(HasError(Read(flow), 0, 0, "YAML nesting is"));
  std::string block;
  for (int i = 0; i < 100000; ++i) block += "- ";
  EXPECT_TRUE(HasError(Read(block + "x\n"), 0, 0, "YAML nesting is"));
  std::string maps;
  for (int i = 0; i < 100000; ++i) maps += "{a: ";
  EXPECT_TRUE(HasError(Read(maps + std::string(100000, '}')), 0, 0, "YAML nesting is"));
}

// "Billion laughs": each anchor refers nine times to the one before. yaml-cpp shares aliased
// nodes, and the readers only walk the schema, so nothing is ever expanded.
TEST(HostileInputTest, AliasBombsAreNotExpanded) {
  std::string yaml = "x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 12; ++i) {
    std::string prev = "*x" + std::to_string(i - 1);
    yaml += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [" + prev;
    for (int k = 0; k < 8; ++k) yaml += ", " + prev;
    yaml += "]\n";
  }
  yaml += "name: bomb\ncontainers:\n  c:\n    image: x\n    command: *x11\n    environment: *x11\n";
  LoadedManifest loaded = Read(yaml);
  EXPECT_TRUE(HasError(loaded, 0, 0, "containers.c.command[0]: got a list (a string)"));
  EXPECT_LE(loaded.diagnostics.all().size(), static_cast<size_t>(kMaxDiagnosticsPerFile + 1));
}

// Found by the fuzzer: yaml-cpp 0.7 loops forever, allocating, on a ',' outside a flow
// collection (upstream issue #1040).
TEST(HostileInputTest, StrayCommaDoesNotHang) {
  EXPECT_TRUE(HasError(Read("+--\n---\n,-\n---\n"), 3, 1, "YAML syntax: unexpected ','"));
  EXPECT_TRUE(HasError(Read(","), 1, 1, "YAML syntax: unexpected ','"));
  EXPECT_TRUE(HasError(Read("- a\n,\n"), 2, 1, "YAML syntax: unexpected ','"));
}

// A YAML escape can put a NUL, which no name, command or label can carry, in a text file.
TEST(HostileInputTest, EscapedNulAndSurrogatesAreErrors) {
  LoadedManifest loaded =
      Read("name: a\ncontainers: {c: {image: x, command: \"sh -c \\uD800\"}}\n");
  EXPECT_TRUE(HasError(loaded, 2, 50, "YAML syntax: invalid unicode"));
  EXPECT_TRUE(
      HasError(Read("name: \"a\\0\"\ncontainers: {c: {image: x}}\n"), 1, 7, "puts a NUL in it"));
}

TEST(HostileInputTest, OversizedInputIsRefused) {
  std::string huge = "name: a\n# " + std::string(kMaxManifestBytes, 'x') + "\n";
  EXPECT_TRUE(HasError(Read(huge), 0, 0, "a manifest of at most"));
}

TEST(HostileInputTest, ManyErrorsAreCapped) {
  std::string yaml = "name: a\ncontainers:\n  c:\n    image: x\n    ports:\n";
  for (int i = 0; i < 500; ++i) yaml += "      - bad\n";
  LoadedManifest loaded = Read(yaml);
  EXPECT_EQ(loaded.diagnostics.all().size(), static_cast<size_t>(kMaxDiagnosticsPerFile + 1));
  EXPECT_TRUE(HasError(loaded, 0, 0, "400 more problems not shown"));
}

TEST(HostileInputTest, ReportsUnreadableFiles) {
  LoadedManifest missing = LoadManifests({"/nonexistent/manifest.yml"}, {});
  EXPECT_TRUE(HasError(missing, 0, 0,
                       "/nonexistent/manifest.yml: error: cannot open: No such file or directory"));
  LoadedManifest directory = LoadManifests({"/"}, {});
  EXPECT_TRUE(HasError(directory, 0, 0, "is a directory"));
  LoadedManifest endless = LoadManifests({"/dev/zero"}, {});
  EXPECT_TRUE(HasError(endless, 0, 0, "is larger than"));
}

}  // namespace
}  // namespace i2kit
