// Well-known Kubernetes demo applications, kept unchanged under tests/data/kubernetes-apps/
// (sources in its README), and the VM test's own app: each validates with no error, and each
// warning is one of those listed here on purpose.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/manifest_test_util.h"

namespace i2kit {
namespace {

using testing::AllDiagnostics;
using testing::IsValid;

std::string SourceFile(const std::string& path) {
  std::ifstream file(std::string(I2KIT_SOURCE_DIR) + "/" + path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

LoadedManifest ReadApp(const std::vector<std::string>& files) {
  LoadedManifest loaded;
  for (const std::string& f : files) {
    std::string text = SourceFile("tests/data/kubernetes-apps/" + f);
    EXPECT_FALSE(text.empty()) << f;
    ReadManifestText(text, f, loaded.manifest, loaded.diagnostics);
  }
  CheckManifest(loaded.manifest, loaded.diagnostics);
  return loaded;
}

// Every warning contains one of `meant`; returns the others.
std::string UnexpectedWarnings(const LoadedManifest& loaded,
                               const std::vector<std::string>& meant) {
  std::string out;
  for (const Diagnostic& d : loaded.diagnostics.all()) {
    if (d.severity != Severity::kWarning) continue;
    bool known = false;
    for (const std::string& m : meant) known = known || d.Format().find(m) != std::string::npos;
    if (!known) out += d.Format() + "\n";
  }
  return out;
}

TEST(KubernetesAppsTest, OnlineBoutiqueValidatesUnchanged) {
  LoadedManifest loaded = ReadApp({"online-boutique/kubernetes-manifests.yaml"});
  ASSERT_TRUE(IsValid(loaded));
  EXPECT_EQ(loaded.manifest.deployments.size(), 12u);
  EXPECT_EQ(UnexpectedWarnings(loaded, {"kind: ServiceAccount", "no service account token"}), "");
}

TEST(KubernetesAppsTest, OnlineBoutiqueUsesGrpcProbesFsGroupAndAnEmptyDir) {
  LoadedManifest loaded = ReadApp({"online-boutique/kubernetes-manifests.yaml"});
  ASSERT_TRUE(IsValid(loaded));
  int grpc = 0, fs_group = 0, empty_dirs = 0;
  for (const Deployment& d : loaded.manifest.deployments) {
    fs_group += d.pod_security.fs_group.has_value();
    for (const Volume& v : d.volumes) empty_dirs += v.type == VolumeType::kEmptyDir;
    for (const Container& c : d.containers) {
      grpc += c.readiness_probe && c.readiness_probe->action == ProbeAction::kGrpc;
    }
  }
  EXPECT_GT(grpc, 0);
  EXPECT_GT(fs_group, 0);
  EXPECT_GT(empty_dirs, 0);
}

TEST(KubernetesAppsTest, ExampleVotingAppValidatesUnchanged) {
  LoadedManifest loaded = ReadApp(
      {"example-voting-app/db-deployment.yaml", "example-voting-app/db-service.yaml",
       "example-voting-app/redis-deployment.yaml", "example-voting-app/redis-service.yaml",
       "example-voting-app/result-deployment.yaml", "example-voting-app/result-service.yaml",
       "example-voting-app/vote-deployment.yaml", "example-voting-app/vote-service.yaml",
       "example-voting-app/worker-deployment.yaml"});
  ASSERT_TRUE(IsValid(loaded));
  EXPECT_EQ(loaded.manifest.deployments.size(), 5u);
  EXPECT_EQ(UnexpectedWarnings(loaded, {"spec.type: NodePort"}), "");
}

TEST(KubernetesAppsTest, SockShopValidatesUnchanged) {
  LoadedManifest loaded = ReadApp({"sock-shop/complete-demo.yaml"});
  ASSERT_TRUE(IsValid(loaded));
  // Its nodeSelector asks for Linux nodes (beta.kubernetes.io/os): every Pod VM is one.
  EXPECT_EQ(UnexpectedWarnings(loaded, {"kind: Namespace", "spec.type: NodePort",
                                        "spec.template.spec.nodeSelector is ignored"}),
            "");
}

TEST(KubernetesAppsTest, PodinfoValidatesUnchanged) {
  LoadedManifest loaded =
      ReadApp({"podinfo/deployment.yaml", "podinfo/hpa.yaml", "podinfo/service.yaml"});
  ASSERT_TRUE(IsValid(loaded));
  EXPECT_EQ(UnexpectedWarnings(loaded, {"kind: HorizontalPodAutoscaler", "revisionHistoryLimit"}),
            "");
}

TEST(KubernetesAppsTest, GuestbookValidatesUnchanged) {
  LoadedManifest loaded = ReadApp({"guestbook/guestbook-all-in-one.yaml"});
  ASSERT_TRUE(IsValid(loaded));
  EXPECT_EQ(UnexpectedWarnings(loaded, {"spec.type: NodePort"}), "");
}

TEST(KubernetesAppsTest, TheVmTestsAppValidates) {
  std::string text = SourceFile("qemu-tests/kubernetes-app/app.yml");
  ASSERT_FALSE(text.empty());
  for (size_t at; (at = text.find("CHECKS_IMAGE")) != std::string::npos;)
    text.replace(at, 12, "localhost:5000/checks:1");
  LoadedManifest loaded = testing::Read(text);
  ASSERT_TRUE(IsValid(loaded));
  EXPECT_EQ(UnexpectedWarnings(loaded, {"kind: Namespace", "kind: ServiceAccount",
                                        "no service account token", "spec.type: NodePort"}),
            "")
      << AllDiagnostics(loaded.diagnostics);
  ASSERT_EQ(loaded.manifest.deployments.size(), 2u);
  const Deployment& shop = loaded.manifest.deployments[0];
  EXPECT_EQ(shop.namespace_name, "shop");
  EXPECT_EQ(shop.volumes.size(), 7u);
  EXPECT_EQ(shop.init_containers.size(), 2u);
  EXPECT_TRUE(shop.init_containers[1].restart_always);
  EXPECT_EQ(shop.pod_security.fs_group, 2000);
  ASSERT_EQ(loaded.manifest.services.size(), 2u);
  EXPECT_EQ(loaded.manifest.services[1].ports[0].node_port, 30095);
}

}  // namespace
}  // namespace i2kit
