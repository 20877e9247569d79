// Kubernetes Services, and the checks across documents that Services bring.
#include <gtest/gtest.h>

#include "common/manifest_test_util.h"

namespace i2kit {
namespace {

using testing::HasError;
using testing::HasWarning;
using testing::IsValid;
using testing::Read;

constexpr const char* kWebDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{name: http, containerPort: 8080}, {containerPort: 53, protocol: UDP}]
---
)";

TEST(KubernetesServiceTest, ReadsEveryField) {
  LoadedManifest loaded = Read(std::string(kWebDeployment) + R"(apiVersion: v1
kind: Service
metadata: {name: frontend, labels: {tier: fe}}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - {name: web, port: 80, targetPort: http}
  - {name: dns, port: 53, protocol: UDP}
)");
  ASSERT_TRUE(IsValid(loaded));
  ASSERT_EQ(loaded.manifest.services.size(), 1u);
  const Service& s = loaded.manifest.services[0];
  EXPECT_EQ(s.name, "frontend");
  EXPECT_EQ(s.type, ServiceType::kLoadBalancer);
  EXPECT_EQ(s.labels.at("tier"), "fe");
  EXPECT_EQ(s.selector.at("app"), "web");
  ASSERT_EQ(s.ports.size(), 2u);
  EXPECT_EQ(s.ports[0].port, 80);
  EXPECT_EQ(s.ports[0].target_port_name, "http");
  EXPECT_EQ(s.ports[1].target_port, 53);  // targetPort defaults to port
  EXPECT_EQ(s.ports[1].protocol, Protocol::kUdp);
  EXPECT_TRUE(loaded.diagnostics.all().empty()) << testing::AllDiagnostics(loaded.diagnostics);
}

TEST(KubernetesServiceTest, DefaultsToClusterIP) {
  LoadedManifest loaded = Read(std::string(kWebDeployment) +
                               "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  "
                               "selector: {app: web}\n  ports: [{port: 8080}]\n");
  ASSERT_TRUE(IsValid(loaded));
  EXPECT_EQ(loaded.manifest.services.at(0).type, ServiceType::kClusterIP);
}

TEST(KubernetesServiceTest, ReportsEveryError) {
  LoadedManifest loaded = Read(R"(apiVersion: v1
kind: Service
metadata: {name: 1frontend}
spec:
  type: NodePort
  selector: {}
  ports:
  - {port: 0}
  - {port: 80, targetPort: "--bad", protocol: HTTP}
)");
  EXPECT_TRUE(
      HasError(loaded, 3, 18,
               "metadata.name: '1frontend' is not a valid name: it must start with a letter"));
  EXPECT_TRUE(HasWarning(loaded, 5, 9, "spec.type: NodePort has no nodes to open ports on here"));
  EXPECT_TRUE(HasError(loaded, 6, 13, "spec.selector: is empty"));
  EXPECT_TRUE(HasError(
      loaded, 8, 5, "spec.ports[0].name: missing (a name on every port of a multi-port Service)"));
  EXPECT_TRUE(HasError(loaded, 8, 12, "spec.ports[0].port: 0 is out of range"));
  EXPECT_TRUE(
      HasError(loaded, 9, 28, "targetPort: '--bad' is neither a port number nor a port name"));
  EXPECT_TRUE(HasError(loaded, 9, 47,
                       "spec.ports[1].protocol: unknown protocol 'HTTP' (TCP, UDP or SCTP)"));
}

TEST(KubernetesServiceTest, RequiresASelector) {
  LoadedManifest loaded =
      Read("apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec:\n  ports: [{port: 80}]\n");
  EXPECT_TRUE(HasError(loaded, 5, 3, "spec.selector: missing"));
}

TEST(KubernetesServiceTest, WarnsWhenTheSelectorMatchesNothing) {
  LoadedManifest loaded = Read(std::string(kWebDeployment) +
                               "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  "
                               "selector: {app: api}\n  ports: [{port: 80}]\n");
  EXPECT_TRUE(IsValid(loaded));
  EXPECT_TRUE(HasWarning(loaded, 14, 1, "service 'api' selects no deployment in the files given"));
}

TEST(KubernetesServiceTest, WarnsWhenNoSelectedContainerExposesTheTargetPort) {
  LoadedManifest loaded = Read(std::string(kWebDeployment) +
                               "apiVersion: v1\nkind: Service\nmetadata: {name: fe}\nspec:\n  "
                               "selector: {app: web}\n  ports: [{port: 80, targetPort: 9090}]\n");
  EXPECT_TRUE(
      HasWarning(loaded, 14, 1, "no container of the selected deployments declares port 9090/TCP"));
}

TEST(KubernetesServiceTest, RejectsADnsNameClashWithAnotherDeployment) {
  LoadedManifest loaded = Read(std::string(kWebDeployment) +
                               "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  "
                               "selector: {app: other}\n  ports: [{port: 80}]\n");
  EXPECT_TRUE(
      HasError(loaded, 14, 1, "service 'web' and deployment 'web' would share one DNS name"));
}

TEST(KubernetesServiceTest, RejectsDuplicateDeploymentNamesAcrossDocuments) {
  LoadedManifest loaded =
      Read("name: web\ncontainers: {c: {image: x}}\n---\nname: web\ncontainers: {c: {image: y}}\n");
  EXPECT_TRUE(HasError(loaded, 4, 1, "deployment name 'web' is already used at test.yml:1"));
}

TEST(KubernetesServiceTest, SelectsI2kitDeploymentsByTheirAppLabel) {
  LoadedManifest loaded = Read(
      "name: shop\ncontainers: {c: {image: x, ports: [80]}}\n---\n"
      "apiVersion: v1\nkind: Service\nmetadata: {name: store}\nspec:\n  selector: {app: shop}\n  "
      "ports: [{port: 80}]\n");
  EXPECT_TRUE(IsValid(loaded));
  EXPECT_TRUE(loaded.diagnostics.all().empty()) << testing::AllDiagnostics(loaded.diagnostics);
}

}  // namespace
}  // namespace i2kit
