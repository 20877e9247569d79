#include "guest-agent/process_spec.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

using Words = std::vector<std::string>;

ImageConfig Image() {
  ImageConfig image;
  image.entrypoint = {"/entrypoint.sh"};
  image.cmd = {"serve", "--port=80"};
  image.env = {"PATH=/opt/app/bin:/usr/bin:/bin", "LANG=C.UTF-8", "MODE=image"};
  image.working_dir = "/srv";
  return image;
}

ProcessSpec Build(const Container& container, const ImageConfig& image = Image()) {
  Result<ProcessSpec> spec = BuildProcessSpec(container, image, "web-0", "", "");
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return spec.ok() ? *spec : ProcessSpec{};
}

Container Web(Words command = {}, Words args = {}) {
  Container c;
  c.name = "web";
  c.command = std::move(command);
  c.args = std::move(args);
  return c;
}

// The four cases of Kubernetes' "Define a Command and Arguments for a Container".
TEST(ProcessSpecTest, WithoutCommandOrArgsRunsTheImageEntrypointAndCmd) {
  EXPECT_EQ(Build(Web()).args, (Words{"/entrypoint.sh", "serve", "--port=80"}));
}

TEST(ProcessSpecTest, CommandReplacesTheEntrypointAndDropsTheImageCmd) {
  EXPECT_EQ(Build(Web({"/bin/app"})).args, (Words{"/bin/app"}));
}

TEST(ProcessSpecTest, ArgsAloneReplaceTheImageCmdAfterItsEntrypoint) {
  EXPECT_EQ(Build(Web({}, {"check"})).args, (Words{"/entrypoint.sh", "check"}));
}

TEST(ProcessSpecTest, CommandAndArgsReplaceBoth) {
  EXPECT_EQ(Build(Web({"/bin/app"}, {"-v", "run"})).args, (Words{"/bin/app", "-v", "run"}));
}

TEST(ProcessSpecTest, AnEmptyArgvIsAnErrorNamingTheContainer) {
  Result<ProcessSpec> spec = BuildProcessSpec(Web(), ImageConfig{}, "web-0", "", "");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().message(),
            "container web: nothing to run: set command, or use an image with an Entrypoint or "
            "Cmd");
}

TEST(ProcessSpecTest, ExpandsReferencesFromTheManifestEnvInCommandAndArgs) {
  Container c = Web({"/bin/echo", "$(GREETING)"}, {"$(NAME)!", "$(PATH)"});
  c.env = {LiteralEnvVar("GREETING", "hello"), LiteralEnvVar("NAME", "world")};
  // PATH comes from the image, which the kubelet never sees: left as written.
  EXPECT_EQ(Build(c).args, (Words{"/bin/echo", "hello", "world!", "$(PATH)"}));
}

TEST(ProcessSpecTest, DoesNotExpandTheImageEntrypointOrCmd) {
  ImageConfig image = Image();
  image.cmd = {"$(NAME)"};
  Container c = Web();
  c.env = {LiteralEnvVar("NAME", "x")};
  EXPECT_EQ(Build(c, image).args, (Words{"/entrypoint.sh", "$(NAME)"}));
}

TEST(ProcessSpecTest, ExpansionFollowsKubernetesEscapingRules) {
  std::map<std::string, std::string> vars = {{"VAR", "value"}, {"EMPTY", ""}};
  EXPECT_EQ(ExpandVariableReferences("$(VAR)", vars), "value");
  EXPECT_EQ(ExpandVariableReferences("$$(VAR)", vars), "$(VAR)");
  EXPECT_EQ(ExpandVariableReferences("$$$(VAR)", vars), "$value");
  EXPECT_EQ(ExpandVariableReferences("$$", vars), "$");
  EXPECT_EQ(ExpandVariableReferences("a$(EMPTY)b", vars), "ab");
  EXPECT_EQ(ExpandVariableReferences("$(UNKNOWN)", vars), "$(UNKNOWN)");
  EXPECT_EQ(ExpandVariableReferences("$VAR ${VAR} $", vars), "$VAR ${VAR} $");
  EXPECT_EQ(ExpandVariableReferences("$(VAR", vars), "$(VAR");
  EXPECT_EQ(ExpandVariableReferences("$()", vars), "$()");
  EXPECT_EQ(ExpandVariableReferences("$(VAR)$(VAR)", vars), "valuevalue");
}

TEST(ProcessSpecTest, ManifestEnvOverridesImageEnvInPlaceAndExpandsEarlierVariables) {
  Container c = Web();
  c.env = {LiteralEnvVar("MODE", "manifest"), LiteralEnvVar("URL", "http://$(HOST):80"),
           LiteralEnvVar("HOST", "db"), LiteralEnvVar("ME", "$(MODE)")};
  EXPECT_EQ(Build(c).env,
            (Words{"HOSTNAME=web-0", "PATH=/opt/app/bin:/usr/bin:/bin", "LANG=C.UTF-8",
                   "MODE=manifest", "URL=http://$(HOST):80", "HOST=db", "ME=manifest"}));
}

TEST(ProcessSpecTest, AddsTheDefaultPathWhenNothingSetsIt) {
  ImageConfig image = Image();
  image.env = {"LANG=C"};
  EXPECT_EQ(Build(Web(), image).env,
            (Words{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "HOSTNAME=web-0", "LANG=C"}));
}

TEST(ProcessSpecTest, TheManifestMaySetHostname) {
  Container c = Web();
  c.env = {LiteralEnvVar("HOSTNAME", "custom")};
  EXPECT_EQ(Build(c).env.front(), "HOSTNAME=custom");
}

TEST(ProcessSpecTest, WorkingDirComesFromTheManifestThenTheImageThenRoot) {
  Container c = Web();
  EXPECT_EQ(Build(c).cwd, "/srv");
  c.working_dir = "/data";
  EXPECT_EQ(Build(c).cwd, "/data");
  ImageConfig image = Image();
  image.working_dir.clear();
  EXPECT_EQ(Build(Web(), image).cwd, "/");
}

TEST(ProcessSpecTest, RejectsARelativeWorkingDir) {
  ImageConfig image = Image();
  image.working_dir = "app";
  EXPECT_EQ(BuildProcessSpec(Web(), image, "web-0", "", "").status().message(),
            "container web: working directory 'app' is not absolute");
}

}  // namespace
}  // namespace i2kit
