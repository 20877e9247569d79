// The Service plan both worlds balance with: what each Service port leads to, and the one
// disagreement neither the template nor the local controller can carry.
#include "common/balancer_plan.h"

#include <gtest/gtest.h>

#include "common/manifest_test_util.h"

namespace i2kit {
namespace {

// Two Deployments labelled tier: web whose container port named http is `a_port` and `b_port`,
// and a Service selecting both by that name.
std::string TwoWebs(int a_port, int b_port, const std::string& service_extra = "") {
  auto deployment = [](const std::string& name, int port) {
    return "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name +
           "\nspec:\n  selector:\n    matchLabels:\n      app: " + name +
           "\n  template:\n    metadata:\n      labels:\n        app: " + name +
           "\n        tier: web\n    spec:\n      containers:\n      - name: web\n"
           "        image: nginx\n        ports:\n        - name: http\n          containerPort: " +
           std::to_string(port) + "\n";
  };
  return deployment("a", a_port) + deployment("b", b_port) +
         "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n" + service_extra +
         "  selector:\n    tier: web\n  ports:\n  - port: 80\n    targetPort: http\n";
}

Result<std::vector<ServicePlan>> Plan(const std::string& yaml) {
  LoadedManifest loaded = testing::Read(yaml);
  EXPECT_TRUE(loaded.ok()) << testing::AllDiagnostics(loaded.diagnostics);
  return PlanServices(loaded.manifest);
}

TEST(BalancerPlanTest, AServicePortLeadsToTheContainerPortItsNameResolvesToInEveryDeployment) {
  Result<std::vector<ServicePlan>> plans = Plan(TwoWebs(8080, 8080));
  ASSERT_TRUE(plans.ok()) << plans.status().message();
  ASSERT_EQ(plans->size(), 1u);
  const ServicePlan& web = (*plans)[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.type, ServiceType::kClusterIP);
  EXPECT_EQ(web.deployments, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(web.listeners.size(), 1u);
  EXPECT_EQ(web.listeners[0].port, 80);
  EXPECT_EQ(web.listeners[0].target_port, 8080);
  EXPECT_EQ(web.listeners[0].protocol, Protocol::kTcp);
  EXPECT_TRUE(web.listeners[0].missing.empty());
}

TEST(BalancerPlanTest, DeploymentsThatDisagreeOnANamedTargetPortFailNamingFileFieldAndBoth) {
  Result<std::vector<ServicePlan>> plans = Plan(TwoWebs(8080, 9090));
  ASSERT_FALSE(plans.ok());
  const std::string& message = plans.status().message();
  EXPECT_NE(message.find("test.yml:"), std::string::npos) << message;
  EXPECT_NE(message.find("service web, port 80: spec.ports[0].targetPort 'http' is 8080 in "
                         "deployment a but 9090 in deployment b"),
            std::string::npos)
      << message;
}

TEST(BalancerPlanTest, ASelectedDeploymentWithoutThePortIsListedAsMissing) {
  std::string yaml = TwoWebs(8080, 8080);
  // b's port loses its name: only a has "http".
  size_t second = yaml.find("- name: http", yaml.find("name: b"));
  yaml.replace(second, 12, "- name: www ");
  LoadedManifest loaded = testing::Read(yaml);
  Result<std::vector<ServicePlan>> plans = PlanServices(loaded.manifest);
  ASSERT_TRUE(plans.ok()) << plans.status().message();
  EXPECT_EQ((*plans)[0].listeners[0].target_port, 8080);
  EXPECT_EQ((*plans)[0].listeners[0].missing, std::vector<std::string>{"b"});
}

TEST(BalancerPlanTest, ANodePortAndAUdpProtocolAreKept) {
  std::string yaml = TwoWebs(5353, 5353, "  type: NodePort\n");
  yaml.replace(yaml.find("targetPort: http"), 16,
               "targetPort: http\n    protocol: UDP\n    nodePort: 30053");
  yaml.replace(yaml.find("containerPort: 5353"), 19,
               "containerPort: 5353\n          protocol: UDP");
  yaml.replace(yaml.rfind("containerPort: 5353"), 19,
               "containerPort: 5353\n          protocol: UDP");
  Result<std::vector<ServicePlan>> plans = Plan(yaml);
  ASSERT_TRUE(plans.ok()) << plans.status().message();
  const ServiceListener& l = (*plans)[0].listeners[0];
  EXPECT_EQ((*plans)[0].type, ServiceType::kNodePort);
  EXPECT_EQ(l.protocol, Protocol::kUdp);
  EXPECT_EQ(l.node_port, 30053);
  EXPECT_EQ(l.target_port, 5353);
}

TEST(BalancerPlanTest, AServiceSelectingNothingKeepsItsNumberedTargetPort) {
  Manifest m;
  Service s;
  s.name = "elsewhere";
  s.selector = {{"app", "other"}};
  s.ports.push_back({"", 80, 8080, "", Protocol::kTcp, 0});
  m.services.push_back(s);
  Result<std::vector<ServicePlan>> plans = PlanServices(m);
  ASSERT_TRUE(plans.ok());
  EXPECT_TRUE((*plans)[0].deployments.empty());
  EXPECT_EQ((*plans)[0].listeners[0].target_port, 8080);
}

TEST(BalancerPlanTest, ThePlanReadsBackFromJsonAsWritten) {
  Result<std::vector<ServicePlan>> plans = Plan(TwoWebs(8080, 8080, "  type: LoadBalancer\n"));
  ASSERT_TRUE(plans.ok());
  nlohmann::json json = nlohmann::json::parse(ServicePlansToJson(*plans).dump());
  Result<std::vector<ServicePlan>> back = ServicePlansFromJson(json, "vm.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, *plans);
}

TEST(BalancerPlanTest, AnUnknownProtocolInJsonNamesTheFileAndTheField) {
  Result<std::vector<ServicePlan>> plans = Plan(TwoWebs(8080, 8080));
  ASSERT_TRUE(plans.ok());
  nlohmann::json json = nlohmann::json::parse(ServicePlansToJson(*plans).dump());
  json[0]["listeners"][0]["protocol"] = "QUIC";
  Result<std::vector<ServicePlan>> back = ServicePlansFromJson(json, "out/a/vm.json");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().message(),
            "out/a/vm.json: services[0].listeners[0].protocol: not TCP, UDP or SCTP");
}

}  // namespace
}  // namespace i2kit
