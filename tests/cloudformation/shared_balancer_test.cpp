// Internal Services share a network balancer: an app of a dozen Services pays for one internal
// balancer plus one per internet-facing Service, and each Service port keeps its own target
// group, listener, name and security group rules.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "cloudformation/balancer_plan.h"
#include "cloudformation/stack_template.h"
#include "cloudformation_test_util.h"
#include "common/manifest_test_util.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

// tests/cloudformation/data/boutique-shape.yml: 12 Deployments, 12 ClusterIP Services and a
// LoadBalancer one.
Manifest BoutiqueShape() {
  std::ifstream file(std::string(I2KIT_SOURCE_DIR) +
                     "/tests/cloudformation/data/boutique-shape.yml");
  std::stringstream text;
  text << file.rdbuf();
  LoadedManifest loaded = testing::Read(text.str());
  EXPECT_TRUE(loaded.ok()) << testing::AllDiagnostics(loaded.diagnostics);
  return loaded.manifest;
}

StackOptions Options() {
  StackOptions options;
  options.stack_name = "boutique";
  options.default_image_id = "ami-0123456789abcdef0";
  options.domain = "example.com";
  return options;
}

std::vector<std::string> IdsOfType(const Json& t, const std::string& type) {
  std::vector<std::string> ids;
  for (const auto& [id, r] : t["Resources"].items()) {
    if (r["Type"] == type) ids.push_back(id);
  }
  return ids;
}

const Json& Properties(const Json& t, const std::string& id) {
  return t["Resources"][id]["Properties"];
}

// A Service of `name` on port `port` selecting Deployment `app`.
std::string ServiceYaml(const std::string& name, const std::string& type, int port,
                        const std::string& app = "web") {
  return "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: " + name +
         "\nspec:\n  type: " + type + "\n  selector:\n    app: " + app +
         "\n  ports:\n  - port: " + std::to_string(port) + "\n    targetPort: 8080\n";
}

constexpr const char* kWeb = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: httpd
        image: busybox:1.36
        ports:
        - containerPort: 8080
)";

Result<Json> Render(const std::string& yaml) {
  LoadedManifest loaded = testing::Read(yaml);
  EXPECT_TRUE(loaded.ok()) << testing::AllDiagnostics(loaded.diagnostics);
  StackOptions options = Options();
  options.domain.clear();
  return StackTemplate(loaded.manifest, options);
}

TEST(SharedBalancerTest, ThirteenServicesNeedOneBalancerPerInternetFacingServicePlusOneShared) {
  Manifest manifest = BoutiqueShape();
  ASSERT_EQ(manifest.deployments.size(), 12u);
  ASSERT_EQ(manifest.services.size(), 13u);
  Result<std::vector<cfn::BalancerPlan>> plans = cfn::PlanBalancers(manifest, Options());
  ASSERT_TRUE(plans.ok()) << plans.status().message();
  // One plan per Service, as before: the balancer of each, until they shared.
  EXPECT_EQ(plans->size(), 13u);
  std::vector<cfn::Balancer> balancers = cfn::Balancers(*plans);
  ASSERT_EQ(balancers.size(), 2u);

  Result<Json> t = StackTemplate(manifest, Options());
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(IdsOfType(*t, "AWS::ElasticLoadBalancingV2::LoadBalancer"),
            (std::vector<std::string>{"SharedInternalLoadBalancer",
                                      "FrontendExternalServiceLoadBalancer"}));
  EXPECT_EQ(Properties(*t, "FrontendExternalServiceLoadBalancer")["Scheme"], "internet-facing");
  EXPECT_EQ(Properties(*t, "SharedInternalLoadBalancer")["Scheme"], "internal");
  EXPECT_EQ(Properties(*t, "SharedInternalLoadBalancer")["Type"], "network");
  // Every Service port keeps a listener and a target group of its own (rolling updates and
  // health checks as before): 12 on the shared balancer, one on the public one.
  std::vector<std::string> listeners = IdsOfType(*t, "AWS::ElasticLoadBalancingV2::Listener");
  EXPECT_EQ(listeners.size(), 13u);
  EXPECT_EQ(IdsOfType(*t, "AWS::ElasticLoadBalancingV2::TargetGroup").size(), 13u);
  int on_shared = 0;
  for (const std::string& id : listeners) {
    on_shared +=
        Properties(*t, id)["LoadBalancerArn"] == Json{{"Ref", "SharedInternalLoadBalancer"}};
  }
  EXPECT_EQ(on_shared, 12);
  // Each internal Service still answers by its name, an alias of the shared balancer.
  const Json& cart = Properties(*t, "CartserviceServiceRecord");
  EXPECT_EQ(cart["Name"], "cartservice.example.com.");
  EXPECT_EQ(cart["AliasTarget"]["DNSName"],
            Json({{"Fn::GetAtt", {"SharedInternalLoadBalancer", "DNSName"}}}));
  EXPECT_TRUE(CheckTemplate(Spec(), *t).empty());
  // Past what CloudFormation takes inline: deploy puts it in S3 (stack_verbs_test.cpp).
  EXPECT_GT(t->dump().size(), 51'200u);
}

TEST(SharedBalancerTest, TheSharedSecurityGroupOpensEveryInternalPortAndInstancesAdmitOnlyIt) {
  Result<Json> t = StackTemplate(BoutiqueShape(), Options());
  ASSERT_TRUE(t.ok()) << t.status().message();
  std::set<int> open;
  for (const Json& rule :
       Properties(*t, "SharedInternalLoadBalancerSecurityGroup")["SecurityGroupIngress"]) {
    open.insert(rule["FromPort"].get<int>());
  }
  EXPECT_EQ(open, (std::set<int>{80, 7070, 3550, 7000, 50051, 50052, 5000, 5050, 8080, 9555, 6379,
                                 8081}));
  // The frontend is behind both balancers: it admits each one's group, and nothing else.
  std::set<std::string> sources;
  for (const Json& rule : Properties(*t, "FrontendInstanceSecurityGroup")["SecurityGroupIngress"]) {
    sources.insert(rule["SourceSecurityGroupId"]["Ref"].get<std::string>());
  }
  EXPECT_EQ(sources, (std::set<std::string>{"SharedInternalLoadBalancerSecurityGroup",
                                            "FrontendExternalServiceLoadBalancerSecurityGroup"}));
}

TEST(SharedBalancerTest, InternalServicesOnOnePortGoToASecondSharedBalancer) {
  Result<Json> t = Render(std::string(kWeb) + ServiceYaml("a", "ClusterIP", 80) +
                          ServiceYaml("b", "ClusterIP", 80) + ServiceYaml("c", "ClusterIP", 81));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(
      IdsOfType(*t, "AWS::ElasticLoadBalancingV2::LoadBalancer"),
      (std::vector<std::string>{"SharedInternalLoadBalancer", "SharedInternal2LoadBalancer"}));
  EXPECT_EQ(Properties(*t, "BServiceTcp80Listener")["LoadBalancerArn"],
            Json({{"Ref", "SharedInternal2LoadBalancer"}}));
  EXPECT_EQ(Properties(*t, "CServiceTcp81Listener")["LoadBalancerArn"],
            Json({{"Ref", "SharedInternalLoadBalancer"}}));
}

TEST(SharedBalancerTest, PastFiftyListenersASecondSharedBalancerTakesTheRest) {
  std::string yaml = kWeb;
  for (int i = 0; i < 51; ++i) yaml += ServiceYaml("s" + std::to_string(i), "ClusterIP", 1000 + i);
  Result<Json> t = Render(yaml);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(IdsOfType(*t, "AWS::ElasticLoadBalancingV2::LoadBalancer").size(), 2u);
  EXPECT_EQ(Properties(*t, "S49ServiceTcp1049Listener")["LoadBalancerArn"],
            Json({{"Ref", "SharedInternalLoadBalancer"}}));
  EXPECT_EQ(Properties(*t, "S50ServiceTcp1050Listener")["LoadBalancerArn"],
            Json({{"Ref", "SharedInternal2LoadBalancer"}}));
}

TEST(SharedBalancerTest, EachInternetFacingServiceKeepsItsOwnBalancer) {
  Result<Json> t = Render(std::string(kWeb) + ServiceYaml("a", "LoadBalancer", 80) +
                          ServiceYaml("b", "LoadBalancer", 80) + ServiceYaml("c", "ClusterIP", 80));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(IdsOfType(*t, "AWS::ElasticLoadBalancingV2::LoadBalancer"),
            (std::vector<std::string>{"AServiceLoadBalancer", "BServiceLoadBalancer",
                                      "SharedInternalLoadBalancer"}));
}

TEST(SharedBalancerTest, ANodePortServiceGetsTheSharedInternalBalancerAsClusterIpDoes) {
  LoadedManifest loaded = testing::Read(std::string(kWeb) + ServiceYaml("a", "ClusterIP", 80) +
                                        ServiceYaml("b", "ClusterIP", 81));
  ASSERT_TRUE(loaded.ok()) << testing::AllDiagnostics(loaded.diagnostics);
  // As the reader makes it of `type: NodePort` (there are no nodes on AWS to open it on).
  loaded.manifest.services[1].type = ServiceType::kNodePort;
  loaded.manifest.services[1].ports[0].node_port = 30095;
  StackOptions options = Options();
  options.domain.clear();
  Result<Json> t = StackTemplate(loaded.manifest, options);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(IdsOfType(*t, "AWS::ElasticLoadBalancingV2::LoadBalancer"),
            (std::vector<std::string>{"SharedInternalLoadBalancer"}));
  EXPECT_EQ(Properties(*t, "BServiceTcp81Listener")["LoadBalancerArn"],
            Json({{"Ref", "SharedInternalLoadBalancer"}}));
  EXPECT_EQ(Properties(*t, "BServiceTcp81Listener")["Port"], 81);  // the port, not the nodePort
  EXPECT_TRUE(CheckTemplate(Spec(), *t).empty());
}

// The same refusal as a local build's (tests/host-cli/run_verbs_test.cpp): both come
// from the one plan, common/balancer_plan.h.
TEST(SharedBalancerTest, DeploymentsThatDisagreeOnANamedTargetPortFailTheTemplate) {
  std::string path =
      std::string(I2KIT_SOURCE_DIR) + "/tests/data/service-plan/disagreeing-target-ports.yml";
  LoadedManifest loaded = LoadManifests({path}, ReadOptions{});
  ASSERT_TRUE(loaded.ok()) << testing::AllDiagnostics(loaded.diagnostics);
  Result<Json> t = StackTemplate(loaded.manifest, Options());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find(path + ":"), std::string::npos) << t.status().message();
  EXPECT_NE(t.status().message().find("service web, port 80: spec.ports[0].targetPort 'http' is "
                                      "8080 in deployment a but 9090 in deployment b"),
            std::string::npos)
      << t.status().message();
}

}  // namespace
}  // namespace i2kit
