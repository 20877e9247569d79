// ConfigMap and Secret objects, references to them, and the kinds that mean nothing in a Pod
// VM (warnings; errors with --strict).
#include <gtest/gtest.h>

#include "common/manifest_test_util.h"

namespace i2kit {
namespace {

using testing::HasError;
using testing::HasWarning;
using testing::IsValid;
using testing::Read;

TEST(KubernetesConfigTest, ReadsConfigMapDataAndBinaryData) {
  LoadedManifest loaded = Read(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: shop.config, namespace: shop}
immutable: true
data: {greeting: hello, app.properties: "color=blue\n"}
binaryData: {blob.bin: AAEC/w==}
)");
  ASSERT_TRUE(IsValid(loaded));
  ASSERT_EQ(loaded.manifest.config_maps.size(), 1u);
  const ConfigObject& c = loaded.manifest.config_maps[0];
  EXPECT_EQ(c.name, "shop.config");
  EXPECT_EQ(c.data.at("greeting"), "hello");
  EXPECT_EQ(c.data.at("app.properties"), "color=blue\n");
  EXPECT_EQ(c.data.at("blob.bin"), std::string("\x00\x01\x02\xff", 4));
}

TEST(KubernetesConfigTest, ReadsSecretDataWithStringDataOverIt) {
  LoadedManifest loaded = Read(R"(apiVersion: v1
kind: Secret
metadata: {name: creds}
type: kubernetes.io/basic-auth
data: {password: czNjcjN0, username: YWRtaW4=}
stringData: {password: plain}
)");
  ASSERT_TRUE(IsValid(loaded));
  ASSERT_EQ(loaded.manifest.secrets.size(), 1u);
  EXPECT_EQ(loaded.manifest.secrets[0].data.at("username"), "admin");
  EXPECT_EQ(loaded.manifest.secrets[0].data.at("password"), "plain");
  EXPECT_TRUE(loaded.manifest.config_maps.empty());
}

TEST(KubernetesConfigTest, ReportsConfigErrors) {
  LoadedManifest loaded = Read(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: Bad_Name}
data: {k: v, ..x: v}
binaryData: {k: AAEC}
---
apiVersion: v1
kind: Secret
metadata: {name: tls}
type: kubernetes.io/tls
data: {tls.crt: not*base64}
---
apiVersion: v1
kind: Secret
metadata: {name: token}
type: kubernetes.io/service-account-token
)");
  EXPECT_TRUE(HasError(loaded, 3, 18, "metadata.name: 'Bad_Name' is not a valid name"));
  EXPECT_TRUE(
      HasError(loaded, 4, 14, "data...x: '..x' is not a valid key: it must not start with '..'"));
  EXPECT_TRUE(HasError(loaded, 5, 14,
                       "binaryData.k: key 'k' is also in data (each key in one of data and "
                       "binaryData)"));
  EXPECT_TRUE(HasError(loaded, 11, 17, "data.tls.crt: is not valid base64 (standard base64"));
  EXPECT_TRUE(HasError(loaded, 10, 7, "type: kubernetes.io/tls needs the keys tls.crt, tls.key"));
  EXPECT_TRUE(HasError(loaded, 16, 7,
                       "type: kubernetes.io/service-account-token is not supported by i2kit: its "
                       "token is filled in by a Kubernetes API server"));
}

TEST(KubernetesConfigTest, WarnsAboutKindsWithoutMeaningAndStrictRefusesThem) {
  std::string yaml;
  for (const char* kind :
       {"Namespace", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
        "PodDisruptionBudget", "HorizontalPodAutoscaler", "VerticalPodAutoscaler", "NetworkPolicy",
        "ResourceQuota", "LimitRange", "PriorityClass", "IngressClass"}) {
    yaml += std::string("apiVersion: v1\nkind: ") + kind + "\nmetadata: {name: x}\n---\n";
  }
  LoadedManifest loaded = Read(yaml);
  EXPECT_TRUE(IsValid(loaded));
  EXPECT_TRUE(HasWarning(loaded, 2, 7,
                         "kind: Namespace 'x' is ignored: in Kubernetes it would create a scope "
                         "for names; here names are global"));
  EXPECT_TRUE(HasWarning(loaded, 6, 7, "kind: ServiceAccount 'x' is ignored"));
  EXPECT_TRUE(HasWarning(loaded, 38, 7,
                         "kind: NetworkPolicy 'x' is ignored: in Kubernetes it would restrict "
                         "the traffic between Pods; here nothing enforces it"));
  EXPECT_EQ(loaded.diagnostics.all().size(), 14u);
  LoadedManifest strict = Read(yaml, true);
  EXPECT_EQ(strict.diagnostics.error_count(), 14);
}

TEST(KubernetesConfigTest, RefusesIngressNamingTheWayIn) {
  LoadedManifest loaded =
      Read("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\n");
  EXPECT_TRUE(HasError(loaded, 2, 7,
                       "kind: Ingress is not supported by i2kit: no Ingress controller runs here, "
                       "so its routes would not exist (a Service of type LoadBalancer"));
}

TEST(KubernetesConfigTest, RefusesAStatefulSetNamingTheFormsThatRunHere) {
  LoadedManifest loaded = Read("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n");
  EXPECT_TRUE(HasError(loaded, 2, 7,
                       "kind: StatefulSet is not read by i2kit yet (a Deployment of replicas: 1 "
                       "with a persistentVolumeClaim volume and its PersistentVolumeClaim, or "
                       "the i2kit format's stateful: true with volumes:"));
}

TEST(KubernetesConfigTest, ServiceAccountNameGetsOneNoteUnlessTheTokenIsOff) {
  auto deployment = [](const std::string& pod) {
    return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
           "spec:\n  selector: {matchLabels: {app: web}}\n  template:\n"
           "    metadata: {labels: {app: web}}\n    spec:\n" +
           pod + "      containers: [{name: web, image: busybox}]\n";
  };
  LoadedManifest noted = Read(deployment("      serviceAccountName: web\n"));
  ASSERT_TRUE(IsValid(noted));
  EXPECT_EQ(noted.manifest.deployments.at(0).namespace_name, "shop");
  EXPECT_TRUE(HasWarning(noted, 9, 27,
                         "spec.template.spec: no service account token is mounted: there is no "
                         "Kubernetes API server in a Pod VM"));
  EXPECT_EQ(noted.diagnostics.all().size(), 1u);
  LoadedManifest off = Read(
      deployment("      serviceAccountName: web\n      automountServiceAccountToken: false\n"));
  EXPECT_TRUE(off.diagnostics.all().empty()) << testing::AllDiagnostics(off.diagnostics);
  EXPECT_FALSE(Read(deployment("      serviceAccountName: web\n"), true).ok());
}

TEST(KubernetesConfigTest, ReportsReferencesToMissingObjectsAndKeys) {
  LoadedManifest loaded = Read(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: "1"}
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
      - {name: s, secret: {secretName: nowhere}}
      - {name: o, secret: {secretName: nowhere-either, optional: true}}
      containers:
      - name: web
        image: busybox
        env:
        - {name: A, valueFrom: {configMapKeyRef: {name: cfg, key: b}}}
        - {name: B, valueFrom: {configMapKeyRef: {name: cfg, key: c, optional: true}}}
        envFrom: [{configMapRef: {name: absent}}]
)");
  EXPECT_TRUE(HasError(loaded, 6, 1,
                       "deployment 'web' volume 's': Secret 'nowhere' is not in the files given "
                       "(a Secret of that name in the files given, or optional: true (Kubernetes "
                       "would hold the Pod in CreateContainerConfigError))"));
  EXPECT_TRUE(HasError(loaded, 18, 9,
                       "deployment 'web' container 'web' env A: ConfigMap 'cfg' has no key 'b'"));
  EXPECT_TRUE(HasError(loaded, 18, 9,
                       "deployment 'web' container 'web' envFrom: ConfigMap 'absent' is not in "
                       "the files given"));
  EXPECT_EQ(loaded.diagnostics.error_count(), 3);
}

}  // namespace
}  // namespace i2kit
