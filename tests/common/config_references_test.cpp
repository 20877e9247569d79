// What a Deployment takes from ConfigMaps and Secrets, and what of it the Pod spec carries.
#include "common/config_references.h"

#include <gtest/gtest.h>

#include "common/base64.h"
#include "common/manifest_test_util.h"
#include "common/pod_spec.h"

namespace i2kit {
namespace {

using testing::IsValid;
using testing::Read;

constexpr const char* kApp = R"(apiVersion: v1
kind: ConfigMap
metadata: {name: used-by-init}
data: {mode: fast}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: used-by-volume}
data: {greeting: hello from a ConfigMap}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unused}
data: {other: never referred to}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {password: czNjcjN0LXBhNTU=}
stringData: {token: tok-4711-never-in-an-image}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      volumes:
      - {name: config, configMap: {name: used-by-volume}}
      - {name: creds, secret: {secretName: creds}}
      initContainers:
      - name: init
        image: busybox
        envFrom: [{configMapRef: {name: used-by-init}}]
      containers:
      - name: web
        image: busybox
        env:
        - name: PASSWORD
          valueFrom: {secretKeyRef: {name: creds, key: password}}
        envFrom: [{secretRef: {name: creds}}]
        volumeMounts:
        - {name: config, mountPath: /etc/config}
        - {name: creds, mountPath: /etc/creds}
)";

TEST(ConfigReferencesTest, ListsEveryReferenceOfVolumesEnvAndInitContainers) {
  LoadedManifest loaded = Read(kApp);
  ASSERT_TRUE(IsValid(loaded));
  std::vector<ConfigReference> refs = ConfigReferences(loaded.manifest.deployments.at(0));
  ASSERT_EQ(refs.size(), 5u);
  EXPECT_EQ(refs[0].object_name, "used-by-volume");
  EXPECT_FALSE(refs[0].is_secret);
  EXPECT_EQ(refs[1].object_name, "creds");
  EXPECT_TRUE(refs[1].is_secret);
  EXPECT_EQ(refs[2].user, "init container 'init' envFrom");
  EXPECT_EQ(refs[4].user, "container 'web' env PASSWORD");
  EXPECT_EQ(refs[4].key, "password");
}

TEST(ConfigReferencesTest, PodSpecCarriesExactlyTheConfigMapsReferredToAndNoSecret) {
  LoadedManifest loaded = Read(kApp);
  ASSERT_TRUE(IsValid(loaded));
  PodSpec spec;
  spec.deployment = loaded.manifest.deployments.at(0);
  spec.config_maps = ReferencedConfigMaps(spec.deployment, loaded.manifest.config_maps);
  ASSERT_EQ(spec.config_maps.size(), 2u);
  EXPECT_EQ(spec.config_maps[0].name, "used-by-init");
  EXPECT_EQ(spec.config_maps[1].name, "used-by-volume");
  std::string json = ToJson(spec).dump();
  EXPECT_NE(json.find(Base64Encode("hello from a ConfigMap")), std::string::npos);
  EXPECT_EQ(json.find(Base64Encode("never referred to")), std::string::npos);
  // The Secret's values, decoded or as written, appear nowhere in pod.json.
  for (const char* secret : {"s3cr3t-pa55", "czNjcjN0LXBhNTU=", "czNjcjN0", "tok-4711",
                             "dG9rLTQ3MTE", "tok-4711-never-in-an-image"}) {
    EXPECT_EQ(json.find(secret), std::string::npos) << secret;
  }
}

}  // namespace
}  // namespace i2kit
