#include "guest-agent/oci_runtime_spec.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "guest-agent/test_temp_dir.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

// The golden file. After an intended change, regenerate it and review its diff:
//   I2KIT_UPDATE_GOLDEN=1 build/tests/guest-agent/guest_agent_tests --gtest_filter='Oci*'
const std::string kGolden =
    std::string(I2KIT_SOURCE_DIR) + "/tests/guest-agent/golden/web_config.json";

// nginx as Pod Security "restricted" wants it: non-root, drop ALL but NET_BIND_SERVICE.
Container Web() {
  Container c;
  c.name = "web";
  c.args = {"-g", "daemon off; error_log stderr $(LOG_LEVEL);"};
  c.env = {LiteralEnvVar("LOG_LEVEL", "info"), LiteralEnvVar("NGINX_VERSION", "1.25.3-i2kit")};
  c.resources.requests = {250, 64 << 20};
  c.resources.limits = {500, 128 << 20};
  c.security_context.run_as_non_root = true;
  c.security_context.read_only_root_filesystem = true;
  c.security_context.capabilities_drop = {"ALL"};
  c.security_context.capabilities_add = {"NET_BIND_SERVICE"};
  return c;
}

ImageConfig Nginx() {
  ImageConfig image;
  image.entrypoint = {"/usr/sbin/nginx"};
  image.cmd = {"-c", "/etc/nginx/nginx.conf"};
  image.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "NGINX_VERSION=1.25.3"};
  image.user = "nginx";
  return image;
}

RuntimeSpecInputs Inputs() {
  RuntimeSpecInputs inputs;
  inputs.rootfs = "/run/i2kit/containers/web/rootfs";
  inputs.hostname = "web-0";
  inputs.cgroups_path = "/i2kit/web";
  inputs.resolv_conf = "/run/i2kit/etc/resolv.conf";
  inputs.hosts = "/run/i2kit/etc/hosts";
  inputs.hostname_file = "/run/i2kit/etc/hostname";
  inputs.passwd =
      "root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/var/cache/nginx:/sbin/nologin\n";
  inputs.group = "root:x:0:\ntty:x:5:\nnginx:x:101:\nwww:x:33:nginx\n";
  return inputs;
}

Json Build(const Container& c, const RuntimeSpecInputs& inputs = Inputs(),
           const ImageConfig& image = Nginx()) {
  Result<Json> spec = BuildRuntimeSpec(c, image, inputs);
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return spec.ok() ? *spec : Json::object();
}

TEST(OciRuntimeSpecTest, MatchesTheGoldenConfigOfARestrictedNginx) {
  std::string actual = Build(Web()).dump(2) + "\n";
  const char* update = std::getenv("I2KIT_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(kGolden) << actual;
    GTEST_SKIP() << "rewrote " << kGolden;
  }
  std::ifstream in(kGolden);
  ASSERT_TRUE(in) << "missing " << kGolden << "; run with I2KIT_UPDATE_GOLDEN=1";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "regenerate with I2KIT_UPDATE_GOLDEN=1 if intended";
}

TEST(OciRuntimeSpecTest, UsesNoNetworkNamespaceSoContainersShareTheVmsNetwork) {
  EXPECT_EQ(Build(Web())["linux"]["namespaces"],
            Json::parse(R"([{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},)"
                        R"({"type":"cgroup"}])"));
}

TEST(OciRuntimeSpecTest, SetsNoNewPrivilegesUnlessEscalationIsAllowed) {
  Container c = Web();
  EXPECT_EQ(Build(c)["process"]["noNewPrivileges"], true);
  c.security_context.allow_privilege_escalation = false;
  EXPECT_EQ(Build(c)["process"]["noNewPrivileges"], true);
  c.security_context.allow_privilege_escalation = true;
  EXPECT_EQ(Build(c)["process"]["noNewPrivileges"], false);
}

TEST(OciRuntimeSpecTest, RootContainerWithDefaultsGetsTheEightCapabilitiesWithoutAmbient) {
  Container c;
  c.name = "plain";
  c.command = {"/bin/true"};
  Json process = Build(c, Inputs(), ImageConfig{})["process"];
  Json caps = process["capabilities"];
  EXPECT_EQ(caps["bounding"].size(), 8u);
  EXPECT_EQ(caps["effective"], caps["bounding"]);
  EXPECT_TRUE(caps["ambient"].empty());
  EXPECT_EQ(process["user"], Json::parse(R"({"uid":0,"gid":0,"additionalGids":[0]})"));
}

TEST(OciRuntimeSpecTest, UnconfinedHasNoSeccompFilter) {
  Container c = Web();
  c.security_context.seccomp_profile.type = SeccompProfileType::kUnconfined;
  EXPECT_FALSE(Build(c)["linux"].contains("seccomp"));
}

TEST(OciRuntimeSpecTest, LocalhostProfileComesFromTheProfileRoot) {
  guest_test::TempDir dir;
  dir.Write("audit.json", R"({"defaultAction":"SCMP_ACT_LOG"})");
  RuntimeSpecInputs inputs = Inputs();
  inputs.seccomp_profile_root = dir.path().string();
  Container c = Web();
  c.security_context.seccomp_profile = {SeccompProfileType::kLocalhost, "audit.json"};
  EXPECT_EQ(Build(c, inputs)["linux"]["seccomp"],
            Json::parse(R"({"defaultAction":"SCMP_ACT_LOG"})"));
  c.security_context.seccomp_profile.localhost_profile = "../audit.json";
  EXPECT_EQ(BuildRuntimeSpec(c, Nginx(), inputs).status().message(),
            "container web: seccomp profile '../audit.json': must be a relative path inside " +
                dir.path().string() + " without '..'");
}

TEST(OciRuntimeSpecTest, ErrorsNameTheContainer) {
  Container c = Web();
  c.security_context.capabilities_add = {"BOGUS"};
  EXPECT_EQ(BuildRuntimeSpec(c, Nginx(), Inputs()).status().message(),
            "container web: securityContext: capabilities.add[0]: unknown capability 'BOGUS'");
  RuntimeSpecInputs inputs = Inputs();
  inputs.passwd.clear();
  EXPECT_EQ(BuildRuntimeSpec(Web(), Nginx(), inputs).status().message(),
            "container web: the image's user 'nginx' is not in the image's /etc/passwd");
}

TEST(OciRuntimeSpecTest, TinyCpuLimitsGetTheKernelsSmallestQuota) {
  Container c = Web();
  c.resources.limits.cpu_millis = 1;
  c.resources.requests.cpu_millis = 1;
  EXPECT_EQ(Build(c)["linux"]["resources"]["cpu"],
            Json::parse(R"({"shares":2,"quota":1000,"period":100000})"));
}

TEST(OciRuntimeSpecTest, LeavesOutWhatIsNotGiven) {
  Container c;
  c.name = "bare";
  c.command = {"/bin/true"};
  RuntimeSpecInputs inputs;
  inputs.rootfs = "/rootfs";
  inputs.pids_limit = 0;
  Json spec = Build(c, inputs, ImageConfig{});
  EXPECT_FALSE(spec.contains("hostname"));
  EXPECT_EQ(spec["mounts"].size(), 7u);  // no /etc bind mounts
  EXPECT_FALSE(spec["linux"].contains("cgroupsPath"));
  EXPECT_EQ(spec["linux"]["resources"],
            Json::parse(R"({"devices":[{"allow":false,"access":"rwm"}]})"));
}

}  // namespace
TEST(OciRuntimeSpecTest, VolumesAreBindMountedNosuidNodevAndReadOnlyWhenAsked) {
  RuntimeSpecInputs inputs = Inputs();
  inputs.volume_binds = {{"/shared", "/run/i2kit/volumes/shared", false},
                         {"/etc/shop", "/run/i2kit/volumes/config", true}};
  Json mounts = Build(Web(), inputs)["mounts"];
  Json shared = mounts[mounts.size() - 2], config = mounts[mounts.size() - 1];
  EXPECT_EQ(shared["destination"], "/shared");
  EXPECT_EQ(shared["source"], "/run/i2kit/volumes/shared");
  EXPECT_EQ(shared["options"], Json({"rbind", "rprivate", "nosuid", "nodev"}));
  EXPECT_EQ(config["destination"], "/etc/shop");
  EXPECT_EQ(config["options"], Json({"rbind", "rprivate", "nosuid", "nodev", "ro"}));
}

TEST(OciRuntimeSpecTest, FsGroupAndSupplementalGroupsAreAddedToTheImagesGroupsOnce) {
  RuntimeSpecInputs inputs = Inputs();
  inputs.pod_groups = {2000, 3000, 33, 2000};  // 33: already there (nginx is in www)
  Json user = Build(Web(), inputs)["process"]["user"];
  EXPECT_EQ(user["gid"], 101);
  EXPECT_EQ(user["additionalGids"], Json({101, 33, 2000, 3000}));
}

}  // namespace i2kit
