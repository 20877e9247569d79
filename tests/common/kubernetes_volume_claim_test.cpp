// A Deployment's persistentVolumeClaim volume and the PersistentVolumeClaim object it names.
#include <gtest/gtest.h>

#include "common/manifest_test_util.h"

namespace i2kit {
namespace {

using testing::HasError;
using testing::IsValid;
using testing::Read;

// A Deployment of `replicas` whose Pod mounts the claim `claim` at /data; `extra` follows
// it in the spec (indented by two spaces).
std::string Database(const std::string& claim, int replicas = 1, const std::string& extra = "") {
  return "apiVersion: apps/v1\n"
         "kind: Deployment\n"
         "metadata: {name: db}\n"
         "spec:\n"
         "  replicas: " +
         std::to_string(replicas) +
         "\n"
         "  selector: {matchLabels: {app: db}}\n"
         "  template:\n"
         "    metadata: {labels: {app: db}}\n"
         "    spec:\n"
         "      volumes:\n"
         "      - {name: data, persistentVolumeClaim: {claimName: " +
         claim +
         "}}\n"
         "      containers:\n"
         "      - name: postgres\n"
         "        image: postgres:16\n"
         "        volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]\n" +
         extra;
}

// Its first line is line 1 of its document.
std::string Claim(const std::string& name, const std::string& spec) {
  return "---\n"
         "apiVersion: v1\n"
         "kind: PersistentVolumeClaim\n"
         "metadata: {name: " +
         name +
         "}\n"
         "spec:\n" +
         spec;
}

const char* kTenGi =
    "  accessModes: [ReadWriteOnce]\n"
    "  storageClassName: gp3\n"
    "  resources: {requests: {storage: 10Gi}}\n";

TEST(KubernetesVolumeClaimTest, AClaimedVolumeIsAPersistentDiskOfTheClaimsSize) {
  LoadedManifest loaded = Read(Database("pgdata") + Claim("pgdata", kTenGi));
  ASSERT_TRUE(IsValid(loaded));
  ASSERT_EQ(loaded.manifest.deployments.size(), 1u);
  const Deployment& d = loaded.manifest.deployments[0];
  ASSERT_EQ(d.volumes.size(), 1u);
  EXPECT_EQ(d.volumes[0].type, VolumeType::kPersistent);
  EXPECT_EQ(d.volumes[0].claim_name, "pgdata");
  EXPECT_EQ(d.volumes[0].size_bytes, int64_t{10} << 30);
  ASSERT_EQ(d.containers[0].volume_mounts.size(), 1u);
  EXPECT_EQ(d.containers[0].volume_mounts[0].mount_path, "/var/lib/postgresql/data");
}

TEST(KubernetesVolumeClaimTest, ADeploymentWithAClaimIsStatefulAndReplacedByRecreate) {
  LoadedManifest loaded = Read(Claim("pgdata", kTenGi) + "---\n" + Database("pgdata"));
  ASSERT_TRUE(IsValid(loaded));
  const Deployment& d = loaded.manifest.deployments[0];
  EXPECT_TRUE(d.stateful);
  EXPECT_EQ(d.strategy.type, StrategyType::kRecreate);
}

TEST(KubernetesVolumeClaimTest, MoreThanOneReplicaOfAClaimIsAnErrorSayingWhy) {
  LoadedManifest loaded = Read(Database("pgdata", 3) + Claim("pgdata", kTenGi));
  EXPECT_TRUE(HasError(loaded, 5, 13,
                       "spec.replicas: 3 VMs cannot share a persistentVolumeClaim: a disk is "
                       "attached to one VM at a time"));
}

TEST(KubernetesVolumeClaimTest, ARollingUpdateWithAClaimIsAnError) {
  LoadedManifest loaded =
      Read(Database("pgdata", 1, "  strategy: {type: RollingUpdate}\n") + Claim("pgdata", kTenGi));
  EXPECT_TRUE(HasError(loaded, 0, 0,
                       "spec.strategy: RollingUpdate would start the new VM while the old one "
                       "holds the persistentVolumeClaim's disk"));
}

TEST(KubernetesVolumeClaimTest, AMissingClaimIsAnErrorNamingIt) {
  LoadedManifest loaded = Read(Database("pgdata"));
  EXPECT_TRUE(HasError(loaded, 1, 1,
                       "deployment 'db' volume data: no PersistentVolumeClaim 'pgdata' in the "
                       "manifests"));
}

TEST(KubernetesVolumeClaimTest, AClaimIsOneDeploymentsDisk) {
  std::string other = Database("pgdata");
  other.replace(other.find("name: db}"), 9, "name: db2}");
  LoadedManifest loaded = Read(Database("pgdata") + "---\n" + other + Claim("pgdata", kTenGi));
  EXPECT_TRUE(HasError(loaded, 0, 0,
                       "deployment 'db2' volume data: PersistentVolumeClaim 'pgdata' is already "
                       "deployment 'db''s: a disk is attached to one VM at a time"));
}

TEST(KubernetesVolumeClaimTest, OnlyReadWriteOnceFilesystemClaimsWithASizeAreRead) {
  LoadedManifest loaded = Read(Database("a") + Claim("a", R"(  accessModes: [ReadWriteMany]
  volumeMode: Block
  resources: {requests: {storage: 512Ki}}
)"));
  EXPECT_TRUE(HasError(loaded, 0, 0,
                       "spec.accessModes: ReadWriteMany is not supported by i2kit: the claim is "
                       "a disk attached to one VM at a time"));
  EXPECT_TRUE(HasError(loaded, 0, 0, "spec.volumeMode is not supported by i2kit"));
  EXPECT_TRUE(HasError(loaded, 0, 0, "spec.resources.requests.storage: '512Ki': is below 1Mi"));
  loaded = Read(Database("b") + Claim("b", "  accessModes: [ReadWriteOnce]\n"));
  EXPECT_TRUE(HasError(loaded, 0, 0, "spec.resources: missing"));
}

}  // namespace
}  // namespace i2kit
