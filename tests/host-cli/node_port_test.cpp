// NodePort Services run locally: each nodePort is published on 127.0.0.1 for the one
// Deployment the Service selects, at the container port its targetPort names.
#include <gtest/gtest.h>

#include "host-cli/artifacts_location.h"

namespace i2kit {
namespace {

Deployment Web(const std::string& name, const std::string& app) {
  Deployment d;
  d.name = name;
  d.labels = {{"app", app}};
  Container c;
  c.name = "web";
  ContainerPort http;
  http.name = "http";
  http.container_port = 8080;
  c.ports.push_back(http);
  d.containers.push_back(c);
  return d;
}

Service NodePort(const std::string& app, int node_port) {
  Service s;
  s.name = "shop-web";
  s.type = ServiceType::kNodePort;
  s.selector = {{"app", app}};
  ServicePort p;
  p.port = 80;
  p.target_port_name = "http";
  p.node_port = node_port;
  s.ports.push_back(p);
  return s;
}

TEST(NodePortTest, ANodePortIsPublishedOnItsDeploymentAtTheNamedTargetPort) {
  Manifest m;
  m.deployments = {Web("shop", "shop"), Web("cart", "cart")};
  m.services = {NodePort("shop", 30095)};
  Service cluster_ip = NodePort("cart", 30096);
  cluster_ip.type = ServiceType::kClusterIP;
  m.services.push_back(cluster_ip);
  Result<std::vector<NodePortPublish>> got = NodePortsOfManifest(m);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 1u);  // the ClusterIP Service publishes nothing
  EXPECT_EQ((*got)[0].deployment, "shop");
  EXPECT_EQ((*got)[0].port.host_port, 30095);
  EXPECT_EQ((*got)[0].port.container_port, 8080);
  EXPECT_EQ(FormatPublishedPort((*got)[0].port), "127.0.0.1:30095->8080/tcp");
}

TEST(NodePortTest, ANodePortServiceSelectingNoneOrSeveralDeploymentsIsRefusedSayingWhy) {
  Manifest m;
  m.deployments = {Web("a", "web"), Web("b", "web")};
  m.services = {NodePort("web", 30095)};
  Result<std::vector<NodePortPublish>> several = NodePortsOfManifest(m);
  ASSERT_FALSE(several.ok());
  EXPECT_NE(several.status().message().find("selects 2 Deployments"), std::string::npos);
  m.services = {NodePort("nothing", 30095)};
  EXPECT_FALSE(NodePortsOfManifest(m).ok());
}

TEST(NodePortTest, APortWithoutANodePortIsNotPublished) {
  Manifest m;
  m.deployments = {Web("shop", "shop")};
  m.services = {NodePort("shop", 0)};
  Result<std::vector<NodePortPublish>> got = NodePortsOfManifest(m);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

}  // namespace
}  // namespace i2kit
