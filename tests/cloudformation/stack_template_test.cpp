// The CloudFormation template of a manifest: every example passes the resource specification,
// and the properties that carry i2kit's promises (readiness-gated rollouts, least privilege,
// nothing reachable but through the balancer) are what the manifest asks for.
#include "cloudformation/stack_template.h"

#include <gtest/gtest.h>

#include "cloudformation_test_util.h"
#include "common/manifest_test_util.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kAmi = "ami-0123456789abcdef0";
constexpr const char* kCertificate =
    "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000";

StackOptions Options() {
  StackOptions options;
  options.stack_name = "test";
  options.default_image_id = kAmi;
  return options;
}

Manifest Parse(const std::string& yaml) {
  LoadedManifest loaded = testing::Read(yaml);
  EXPECT_TRUE(loaded.ok()) << testing::AllDiagnostics(loaded.diagnostics);
  return loaded.manifest;
}

Json Render(const std::string& yaml, const StackOptions& options = Options()) {
  Result<Json> rendered = StackTemplate(Parse(yaml), options);
  EXPECT_TRUE(rendered.ok()) << rendered.status().message();
  return rendered.ok() ? rendered.value() : Json::object();
}

std::string SpecProblems(const Json& t) {
  std::string joined;
  for (const std::string& p : CheckTemplate(Spec(), t)) joined += p + "\n";
  return joined;
}

const Json& Resource(const Json& t, const std::string& id) {
  static const Json kMissing = Json::object();
  EXPECT_TRUE(t["Resources"].contains(id)) << "no resource " << id;
  return t["Resources"].contains(id) ? t["Resources"][id] : kMissing;
}

const Json& Properties(const Json& t, const std::string& id) {
  static const Json kMissing = Json::object();
  const Json& r = Resource(t, id);
  return r.contains("Properties") ? r["Properties"] : kMissing;
}

std::vector<std::string> IdsOfType(const Json& t, const std::string& type) {
  std::vector<std::string> ids;
  for (const auto& [id, r] : t["Resources"].items()) {
    if (r["Type"] == type) ids.push_back(id);
  }
  return ids;
}

constexpr const char* kRollingK8s = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 4
  selector: {matchLabels: {app: api}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: 50%}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: busybox:1.36
        ports: [{containerPort: 9000}]
)";

// --- every example passes the specification ------------------------------------------------

class ExampleTemplateTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ExampleTemplateTest, PassesTheResourceSpecification) {
  StackOptions options = Options();
  Json plain = Render(testing::ReadExample(GetParam()), options);
  EXPECT_EQ(SpecProblems(plain), "");
  options.domain = "example.com";
  options.certificate_arn = kCertificate;
  Json with_names = Render(testing::ReadExample(GetParam()), options);
  EXPECT_EQ(SpecProblems(with_names), "");
  EXPECT_FALSE(IdsOfType(with_names, "AWS::Route53::RecordSet").empty());
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleTemplateTest,
                         ::testing::Values("paper-fig2-deployment.yml", "paper-fig5-i2kit.yml",
                                           "web-with-service.yml", "hello.yml"));

TEST(StackTemplateTest, TlsListenersAndAPublicBalancerPassTheSpecification) {
  Json t = Render(R"(name: shop
public: true
containers:
  web:
    image: nginx:1.25
    ports:
      - https:443:http:80
      - ssl:8443:tcp:8443
      - udp:53:udp:53
)",
                  [] {
                    StackOptions o = Options();
                    o.certificate_arn = kCertificate;
                    return o;
                  }());
  EXPECT_EQ(SpecProblems(t), "");
}

// --- the instances --------------------------------------------------------------------------

TEST(StackTemplateTest, LaunchTemplateRequiresImdsV2AndHasNoKeyPair) {
  Json t = Render(testing::ReadExample("paper-fig5-i2kit.yml"));
  const Json& data = Properties(t, "NginxDeploymentLaunchTemplate")["LaunchTemplateData"];
  EXPECT_EQ(data["MetadataOptions"]["HttpTokens"], "required");
  EXPECT_EQ(data["MetadataOptions"]["HttpPutResponseHopLimit"], 1);
  EXPECT_EQ(data["ImageId"], Json({{"Ref", "NginxDeploymentImageId"}}));
  EXPECT_EQ(t["Parameters"]["NginxDeploymentImageId"]["Default"], kAmi);
  EXPECT_FALSE(data.contains("KeyName"));
}

TEST(StackTemplateTest, InstancesVolumesAndInterfacesCarryTheDeploymentStackAndImage) {
  StackOptions options = Options();
  options.image_digests[kAmi] = "sha256:0123";
  Json t = Render(testing::ReadExample("paper-fig5-i2kit.yml"), options);
  const Json& specifications =
      Properties(t, "NginxDeploymentLaunchTemplate")["LaunchTemplateData"]["TagSpecifications"];
  Json tags =
      Json::array({Json{{"Key", "i2kit:deployment"}, {"Value", "nginx-deployment"}},
                   Json{{"Key", "i2kit:stack"}, {"Value", {{"Fn::Sub", "${AWS::StackName}"}}}},
                   Json{{"Key", "i2kit:image-digest"}, {"Value", "sha256:0123"}}});
  EXPECT_EQ(specifications,
            Json::array({Json{{"ResourceType", "instance"}, {"Tags", tags}},
                         Json{{"ResourceType", "volume"}, {"Tags", tags}},
                         Json{{"ResourceType", "network-interface"}, {"Tags", tags}}}));
  EXPECT_EQ(SpecProblems(t), "");
}

TEST(StackTemplateTest, AnImageOfUnknownDigestIsTaggedWithoutIt) {
  Json t = Render(testing::ReadExample("paper-fig5-i2kit.yml"));
  const Json& first =
      Properties(t, "NginxDeploymentLaunchTemplate")["LaunchTemplateData"]["TagSpecifications"][0];
  EXPECT_EQ(first["Tags"].size(), 2u) << first.dump();
}

TEST(StackTemplateTest, TheReporterWaitsForTheTargetGroupsHealthChecksBeforeItSignals) {
  Json t = Render(testing::ReadExample("paper-fig5-i2kit.yml"));
  const Json& user_data =
      Properties(t, "NginxDeploymentLaunchTemplate")["LaunchTemplateData"]["UserData"];
  Json text = Json::parse(user_data["Fn::Base64"]["Fn::Sub"].get<std::string>());
  const Json& target_group =
      Properties(t, IdsOfType(t, "AWS::ElasticLoadBalancingV2::TargetGroup")[0]);
  EXPECT_EQ(text["targetHealthySeconds"], target_group["HealthCheckIntervalSeconds"].get<int>() *
                                              target_group["HealthyThresholdCount"].get<int>());
  Json alone = Render("name: db\nstateful: true\ncontainers:\n  pg:\n    image: postgres:16\n");
  Json db = Json::parse(
      Properties(alone,
                 "DbLaunchTemplate")["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Sub"]
          .get<std::string>());
  EXPECT_EQ(db["targetHealthySeconds"], 0);  // no balancer: ready is ready
}

TEST(StackTemplateTest, UserDataTellsTheAgentItsStackResourceAndRegion) {
  Json t = Render(testing::ReadExample("paper-fig5-i2kit.yml"));
  const Json& user_data =
      Properties(t, "NginxDeploymentLaunchTemplate")["LaunchTemplateData"]["UserData"];
  Json text = Json::parse(user_data["Fn::Base64"]["Fn::Sub"].get<std::string>());
  EXPECT_EQ(text["stack"], "${AWS::StackName}");
  EXPECT_EQ(text["resource"], "NginxDeploymentGroup");
  EXPECT_EQ(text["region"], "${AWS::Region}");
  EXPECT_EQ(text["deployment"], "nginx-deployment");
  EXPECT_EQ(text["metricsNamespace"], "i2kit/${AWS::StackName}");
  // The reporter's startup deadline: the CreationPolicy's timeout, in seconds.
  EXPECT_EQ(text["signalTimeoutSeconds"], 600);
  EXPECT_EQ(Resource(t, "NginxDeploymentGroup")["CreationPolicy"]["ResourceSignal"]["Timeout"],
            "PT600S");
}

TEST(StackTemplateTest, GroupSizesFollowReplicasAndSurge) {
  // 3 replicas, default 25%/25%: surge rounds up to 1, unavailable down to 0.
  Json t = Render(testing::ReadExample("paper-fig5-i2kit.yml"));
  const Json& group = Properties(t, "NginxDeploymentGroup");
  EXPECT_EQ(group["DesiredCapacity"], "3");
  EXPECT_EQ(group["MinSize"], "3");
  EXPECT_EQ(group["MaxSize"], "4");
  const Json& resource = Resource(t, "NginxDeploymentGroup");
  EXPECT_EQ(resource["CreationPolicy"]["ResourceSignal"]["Count"], 3);
  const Json& rolling = resource["UpdatePolicy"]["AutoScalingRollingUpdate"];
  EXPECT_EQ(rolling["MinInstancesInService"], 3);
  EXPECT_EQ(rolling["MaxBatchSize"], 1);
  EXPECT_EQ(rolling["WaitOnResourceSignals"], true);
  EXPECT_EQ(rolling["PauseTime"], "PT600S");
  // AWS's advice: no health-check replacement (nor anything else moving instances) mid-update.
  EXPECT_EQ(rolling["SuspendProcesses"],
            Json::array({"HealthCheck", "ReplaceUnhealthy", "AZRebalance", "AlarmNotification",
                         "ScheduledActions"}));
}

TEST(StackTemplateTest, LegacyDeploymentRollsTwoAtOnce) {
  // extensions/v1beta1 defaults to one surge and one unavailable.
  Json t = Render(testing::ReadExample("paper-fig2-deployment.yml"));
  EXPECT_EQ(Properties(t, "NginxDeploymentGroup")["MaxSize"], "4");
  const Json& rolling =
      Resource(t, "NginxDeploymentGroup")["UpdatePolicy"]["AutoScalingRollingUpdate"];
  EXPECT_EQ(rolling["MinInstancesInService"], 2);
  EXPECT_EQ(rolling["MaxBatchSize"], 2);
}

TEST(StackTemplateTest, RollingUpdateWithoutSurgeReplacesHalfAtOnce) {
  Json t = Render(kRollingK8s);
  EXPECT_EQ(Properties(t, "ApiGroup")["MaxSize"], "4");
  const Json& rolling = Resource(t, "ApiGroup")["UpdatePolicy"]["AutoScalingRollingUpdate"];
  EXPECT_EQ(rolling["MinInstancesInService"], 2);
  EXPECT_EQ(rolling["MaxBatchSize"], 2);
}

TEST(StackTemplateTest, RecreateStrategyReplacesEveryInstanceAtOnce) {
  std::string yaml = kRollingK8s;
  size_t at = yaml.find("  strategy:");
  yaml.replace(at, yaml.find('\n', at) - at, "  strategy: {type: Recreate}");
  Json t = Render(yaml);
  EXPECT_EQ(Properties(t, "ApiGroup")["MaxSize"], "4");
  const Json& rolling = Resource(t, "ApiGroup")["UpdatePolicy"]["AutoScalingRollingUpdate"];
  EXPECT_EQ(rolling["MinInstancesInService"], 0);
  EXPECT_EQ(rolling["MaxBatchSize"], 4);
}

TEST(StackTemplateTest, ServiceSelectedDeploymentUsesItsStrategyAndProbes) {
  // web: 2 replicas, maxSurge 1, maxUnavailable 0; readiness every 2 s after boot.
  Json t = Render(testing::ReadExample("web-with-service.yml"));
  const Json& group = Properties(t, "WebGroup");
  EXPECT_EQ(group["MinSize"], "2");
  EXPECT_EQ(group["MaxSize"], "3");
  EXPECT_EQ(group["HealthCheckType"], "ELB");
  EXPECT_EQ(group["HealthCheckGracePeriod"], 60 + 2);
  const Json& rolling = Resource(t, "WebGroup")["UpdatePolicy"]["AutoScalingRollingUpdate"];
  EXPECT_EQ(rolling["MinInstancesInService"], 2);
  EXPECT_EQ(rolling["MaxBatchSize"], 1);
}

TEST(StackTemplateTest, StatefulDeploymentIsReachedByNameThroughTheSharedInternalBalancer) {
  StackOptions options = Options();
  options.domain = "example.com";
  Json t = Render(
      "name: db\nstateful: true\npublic: true\ncontainers:\n  pg:\n    image: postgres:16\n"
      "    ports: [5432]\n",
      options);
  EXPECT_EQ(IdsOfType(t, "AWS::ElasticLoadBalancingV2::LoadBalancer"),
            std::vector<std::string>{"SharedInternalLoadBalancer"});
  EXPECT_EQ(Properties(t, "SharedInternalLoadBalancer")["Scheme"], "internal");
  EXPECT_EQ(Properties(t, "DbTcp5432TargetGroup")["Port"], 5432);
  EXPECT_EQ(Properties(t, "DbRecord")["Name"], "db.example.com.");
  EXPECT_EQ(Properties(t, "DbGroup")["HealthCheckType"], "ELB");
  EXPECT_EQ(SpecProblems(t), "");
}

TEST(StackTemplateTest, StatefulDeploymentWithoutPortsHasNoBalancerAndEc2HealthChecks) {
  Json t = Render("name: db\nstateful: true\ncontainers:\n  pg:\n    image: postgres:16\n");
  EXPECT_TRUE(IdsOfType(t, "AWS::ElasticLoadBalancingV2::LoadBalancer").empty());
  EXPECT_EQ(Properties(t, "DbGroup")["HealthCheckType"], "EC2");
  EXPECT_FALSE(Properties(t, "DbInstanceSecurityGroup").contains("SecurityGroupIngress"));
  EXPECT_EQ(SpecProblems(t), "");
}

TEST(StackTemplateTest, InstanceTypeComesFromManifestThenFlagThenRequests) {
  Json derived = Render(testing::ReadExample("web-with-service.yml"));
  EXPECT_EQ(Properties(derived, "WebLaunchTemplate")["LaunchTemplateData"]["InstanceType"],
            "t3.nano");
  StackOptions options = Options();
  options.instance_type = "c6i.large";
  Json flagged = Render(testing::ReadExample("web-with-service.yml"), options);
  EXPECT_EQ(Properties(flagged, "WebLaunchTemplate")["LaunchTemplateData"]["InstanceType"],
            "c6i.large");
  Json named =
      Render("name: big\ninstance_type: m5.large\ncontainers:\n  a:\n    image: a:1\n", options);
  EXPECT_EQ(Properties(named, "BigLaunchTemplate")["LaunchTemplateData"]["InstanceType"],
            "m5.large");
}

TEST(StackTemplateTest, MalformedInstanceTypeFlagIsAnError) {
  StackOptions options = Options();
  options.instance_type = "large";
  Result<Json> t = StackTemplate(Parse(testing::ReadExample("hello.yml")), options);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("--instance-type 'large'"), std::string::npos);
}

TEST(StackTemplateTest, StartupProbeLengthensTheGracePeriod) {
  std::string yaml = testing::ReadExample("web-with-service.yml");
  yaml.replace(yaml.find("        livenessProbe:"), 0,
               "        startupProbe:\n          tcpSocket: {port: 8080}\n"
               "          periodSeconds: 5\n          failureThreshold: 30\n");
  Json t = Render(yaml);
  // Boot, then the startup probe's whole budget, then one readiness pass.
  EXPECT_EQ(Properties(t, "WebGroup")["HealthCheckGracePeriod"], 60 + 5 * 30 + 2);
}

TEST(StackTemplateTest, LargerRequestsGetALargerInstance) {
  std::string yaml = testing::ReadExample("web-with-service.yml");
  yaml.replace(yaml.find("memory: 16Mi"), 12, "memory: 3Gi");
  yaml.replace(yaml.find("memory: 64Mi"), 12, "memory: 3Gi");
  Json t = Render(yaml);
  EXPECT_EQ(Properties(t, "WebLaunchTemplate")["LaunchTemplateData"]["InstanceType"], "t3.medium");
}

// --- the load balancers ---------------------------------------------------------------------

TEST(StackTemplateTest, PlainTcpPortsGetAnInternalNetworkBalancer) {
  Json t = Render(testing::ReadExample("paper-fig5-i2kit.yml"));
  const Json& balancer = Properties(t, "NginxDeploymentLoadBalancer");
  EXPECT_EQ(balancer["Type"], "network");
  EXPECT_EQ(balancer["Scheme"], "internal");
  EXPECT_EQ(balancer["Subnets"], Json({{"Ref", "InstanceSubnets"}}));
  EXPECT_EQ(Properties(t, "NginxDeploymentTcp80Listener")["Protocol"], "TCP");
}

TEST(StackTemplateTest, HttpPortsGetAnApplicationBalancer) {
  Json t = Render(testing::ReadExample("hello.yml"));
  EXPECT_EQ(Properties(t, "HelloLoadBalancer")["Type"], "application");
  EXPECT_EQ(Properties(t, "HelloHttp8080Listener")["Protocol"], "HTTP");
  EXPECT_EQ(Properties(t, "HelloHttp8080TargetGroup")["Protocol"], "HTTP");
}

TEST(StackTemplateTest, MixedHttpAndTcpPortsGetANetworkBalancer) {
  StackOptions options = Options();
  options.certificate_arn = kCertificate;
  Json t = Render(
      "name: mixed\ncontainers:\n  a:\n    image: a:1\n    ports:\n"
      "      - https:443:http:80\n      - tcp:6379:tcp:6379\n",
      options);
  EXPECT_EQ(Properties(t, "MixedLoadBalancer")["Type"], "network");
  EXPECT_EQ(Properties(t, "MixedHttps443Listener")["Protocol"], "TLS");
  EXPECT_EQ(Properties(t, "MixedHttps443TargetGroup")["Protocol"], "TCP");
}

TEST(StackTemplateTest, PublicDeploymentGetsAnInternetFacingBalancerInPublicSubnets) {
  Json t = Render(
      "name: site\npublic: true\ncontainers:\n  a:\n    image: a:1\n"
      "    ports: [http:80:http:8080]\n");
  EXPECT_EQ(Properties(t, "SiteLoadBalancer")["Scheme"], "internet-facing");
  EXPECT_EQ(Properties(t, "SiteLoadBalancer")["Subnets"], Json({{"Ref", "PublicSubnets"}}));
  EXPECT_TRUE(t["Parameters"].contains("PublicSubnets"));
}

TEST(StackTemplateTest, LoadBalancerServiceIsInternetFacingAndFeedsItsDeployments) {
  Json t = Render(testing::ReadExample("web-with-service.yml"));
  // The Deployment is reached through its Service, as in Kubernetes: no balancer of its own.
  EXPECT_EQ(IdsOfType(t, "AWS::ElasticLoadBalancingV2::LoadBalancer"),
            std::vector<std::string>{"WebPublicServiceLoadBalancer"});
  EXPECT_EQ(Properties(t, "WebPublicServiceLoadBalancer")["Scheme"], "internet-facing");
  EXPECT_EQ(Properties(t, "WebPublicServiceLoadBalancer")["Type"], "network");
  EXPECT_EQ(Properties(t, "WebPublicServiceTcp80Listener")["Port"], 80);
  EXPECT_EQ(Properties(t, "WebPublicServiceTcp80TargetGroup")["Port"], 8080);
  EXPECT_EQ(Properties(t, "WebGroup")["TargetGroupARNs"],
            Json::array({Json{{"Ref", "WebPublicServiceTcp80TargetGroup"}}}));
}

TEST(StackTemplateTest, ClusterIpServiceListensOnTheSharedInternalBalancer) {
  std::string yaml = testing::ReadExample("web-with-service.yml");
  yaml.replace(yaml.find("type: LoadBalancer"), 18, "type: ClusterIP");
  Json t = Render(yaml);
  EXPECT_EQ(Properties(t, "SharedInternalLoadBalancer")["Scheme"], "internal");
  EXPECT_EQ(Properties(t, "WebPublicServiceTcp80Listener")["LoadBalancerArn"],
            Json({{"Ref", "SharedInternalLoadBalancer"}}));
  EXPECT_FALSE(t["Parameters"].contains("PublicSubnets"));
}

TEST(StackTemplateTest, TargetGroupsCheckTheAgentsReadiness) {
  Json t = Render(testing::ReadExample("hello.yml"));
  const Json& group = Properties(t, "HelloHttp8080TargetGroup");
  EXPECT_EQ(group["HealthCheckPort"], "8089");
  EXPECT_EQ(group["HealthCheckPath"], "/readyz");
  EXPECT_EQ(group["HealthCheckProtocol"], "HTTP");
}

TEST(StackTemplateTest, TcpAndUdpOnOneServicePortIsAnError) {
  std::string yaml = testing::ReadExample("web-with-service.yml");
  std::string one_port = "  - port: 80\n    targetPort: http\n";
  yaml.replace(yaml.find(one_port), one_port.size(),
               "  - {name: tcp, port: 80, targetPort: http}\n"
               "  - {name: udp, port: 80, protocol: UDP, targetPort: http}\n");
  Manifest manifest = Parse(yaml);
  Result<Json> t = StackTemplate(manifest, Options());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("service web-public, port udp:80: the load balancer "
                                      "already listens on port 80"),
            std::string::npos)
      << t.status().message();
}

TEST(StackTemplateTest, TlsListenersCarryTheCertificateFromTheFlag) {
  StackOptions options = Options();
  options.certificate_arn = kCertificate;
  Json t = Render("name: shop\ncontainers:\n  a:\n    image: a:1\n    ports: [https:443:http:80]\n",
                  options);
  const Json& listener = Properties(t, "ShopHttps443Listener");
  EXPECT_EQ(listener["Protocol"], "HTTPS");
  EXPECT_EQ(listener["Certificates"], Json::array({Json{{"CertificateArn", kCertificate}}}));
  EXPECT_EQ(Properties(t, "ShopHttps443TargetGroup")["Protocol"], "HTTP");
}

TEST(StackTemplateTest, APortsOwnCertificateWinsOverTheFlag) {
  StackOptions options = Options();
  options.certificate_arn = kCertificate;
  std::string own = "arn:aws:acm:eu-west-1:123456789012:certificate/own";
  Json t =
      Render("name: shop\ncontainers:\n  a:\n    image: a:1\n    ports: [\"ssl:443:tcp:80:" + own +
                 "\"]\n",
             options);
  EXPECT_EQ(Properties(t, "ShopSsl443Listener")["Certificates"][0]["CertificateArn"], own);
  EXPECT_EQ(Properties(t, "ShopSsl443Listener")["Protocol"], "TLS");
}

TEST(StackTemplateTest, HttpsPortWithoutCertificateIsAnErrorNamingThePortAndTheFlag) {
  Result<Json> t = StackTemplate(
      Parse("name: shop\ncontainers:\n  a:\n    image: a:1\n    ports: [https:443:http:80]\n"),
      Options());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("deployment shop, port https:443"), std::string::npos)
      << t.status().message();
  EXPECT_NE(t.status().message().find("--certificate"), std::string::npos);
}

TEST(StackTemplateTest, InstancesAdmitOnlyTheirBalancersSecurityGroup) {
  for (const char* example : {"paper-fig5-i2kit.yml", "web-with-service.yml", "hello.yml"}) {
    Json t = Render(testing::ReadExample(example));
    for (const std::string& id : IdsOfType(t, "AWS::EC2::SecurityGroup")) {
      if (id.find("InstanceSecurityGroup") == std::string::npos) continue;
      const Json& rules = Properties(t, id)["SecurityGroupIngress"];
      ASSERT_FALSE(rules.empty()) << example << " " << id;
      bool agent_port = false;
      for (const Json& rule : rules) {
        EXPECT_FALSE(rule.contains("CidrIp")) << example << " " << rule.dump();
        std::string source = rule["SourceSecurityGroupId"]["Ref"];
        EXPECT_NE(source.find("LoadBalancerSecurityGroup"), std::string::npos) << source;
        EXPECT_EQ(Resource(t, source)["Type"], "AWS::EC2::SecurityGroup");
        agent_port |= rule["FromPort"] == 8089;
      }
      EXPECT_TRUE(agent_port) << example << ": health checks cannot reach the agent";
    }
  }
}

TEST(StackTemplateTest, RoleGrantsExactlyTheReportersScopedActions) {
  Json t = Render(testing::ReadExample("paper-fig5-i2kit.yml"));
  const Json& role = Properties(t, "NginxDeploymentInstanceRole");
  ASSERT_EQ(role["Policies"].size(), 1u);
  const Json& statements = role["Policies"][0]["PolicyDocument"]["Statement"];
  ASSERT_EQ(statements.size(), 4u);
  EXPECT_EQ(statements[0]["Action"], "cloudformation:SignalResource");
  EXPECT_EQ(statements[0]["Resource"], Json({{"Ref", "AWS::StackId"}}));
  EXPECT_EQ(statements[1]["Action"], "autoscaling:SetInstanceHealth");
  std::string group_arn = statements[1]["Resource"]["Fn::Sub"];
  EXPECT_NE(group_arn.find(":autoScalingGroupName/${AWS::StackName}-nginx-deployment"),
            std::string::npos);
  EXPECT_EQ(Properties(t, "NginxDeploymentGroup")["AutoScalingGroupName"],
            Json({{"Fn::Sub", "${AWS::StackName}-nginx-deployment"}}));
  EXPECT_EQ(statements[2]["Action"], "cloudwatch:PutMetricData");
  EXPECT_EQ(statements[2]["Condition"]["StringEquals"]["cloudwatch:namespace"],
            Json({{"Fn::Sub", "i2kit/${AWS::StackName}"}}));
  EXPECT_EQ(statements[3]["Action"],
            Json::array({"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}));
  const std::string log_group =
      "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/i2kit/"
      "${AWS::StackName}/nginx-deployment";
  EXPECT_EQ(statements[3]["Resource"],
            Json::array({Json{{"Fn::Sub", log_group}}, Json{{"Fn::Sub", log_group + ":*"}}}));
  for (const Json& s : statements) EXPECT_EQ(s["Effect"], "Allow");
  EXPECT_EQ(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
            "ec2.amazonaws.com");
  EXPECT_FALSE(role.contains("ManagedPolicyArns"));
}

// --- names ----------------------------------------------------------------------------------

TEST(StackTemplateTest, DomainGivesEachBalancerAnAliasRecord) {
  StackOptions options = Options();
  options.domain = "example.com";
  Json t = Render(testing::ReadExample("web-with-service.yml"), options);
  const Json& record = Properties(t, "WebPublicServiceRecord");
  EXPECT_EQ(record["Name"], "web-public.example.com.");
  EXPECT_EQ(record["HostedZoneId"], Json({{"Ref", "HostedZoneId"}}));
  EXPECT_EQ(record["AliasTarget"]["DNSName"],
            Json({{"Fn::GetAtt", {"WebPublicServiceLoadBalancer", "DNSName"}}}));
  EXPECT_EQ(t["Outputs"]["WebPublicServiceEndpoint"]["Value"], "web-public.example.com");
}

TEST(StackTemplateTest, WithoutDomainTheEndpointIsTheBalancersName) {
  Json t = Render(testing::ReadExample("hello.yml"));
  EXPECT_TRUE(IdsOfType(t, "AWS::Route53::RecordSet").empty());
  EXPECT_FALSE(t["Parameters"].contains("HostedZoneId"));
  EXPECT_EQ(t["Outputs"]["HelloEndpoint"]["Value"],
            Json({{"Fn::GetAtt", {"HelloLoadBalancer", "DNSName"}}}));
}

TEST(StackTemplateTest, InvalidDomainIsAnError) {
  StackOptions options = Options();
  options.domain = "Example..com";
  Result<Json> t = StackTemplate(Parse(testing::ReadExample("hello.yml")), options);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("--domain"), std::string::npos);
}

TEST(StackTemplateTest, SameManifestGivesTheSameTemplate) {
  std::string yaml = testing::ReadExample("web-with-service.yml");
  EXPECT_EQ(Render(yaml).dump(), Render(yaml).dump());
}

TEST(StackTemplateTest, AddingADeploymentLeavesTheFirstsResourcesAsTheyWere) {
  std::string first = testing::ReadExample("paper-fig5-i2kit.yml");
  Json alone = Render(first);
  Json both = Render(std::string(kRollingK8s) + "---\n" + first);
  for (const auto& [id, resource] : alone["Resources"].items()) {
    ASSERT_TRUE(both["Resources"].contains(id)) << id << " was renamed";
    EXPECT_EQ(both["Resources"][id], resource) << id << " changed";
  }
  EXPECT_TRUE(both["Resources"].contains("ApiGroup"));
}

TEST(StackTemplateTest, NamesThatMapOntoOneLogicalIdAreAnError) {
  Result<Json> t = StackTemplate(
      Parse("name: a-1\ncontainers:\n  a:\n    image: a:1\n---\nname: a1\ncontainers:\n"
            "  a:\n    image: a:1\n"),
      Options());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("deployment a1 and deployment a-1"), std::string::npos)
      << t.status().message();
}

// Deployments named "deployment-with-a-long-name-N", `ports` each ("" for none).
std::string ManyDeployments(int count, const std::string& ports) {
  std::string yaml;
  for (int i = 0; i < count; ++i) {
    yaml += "---\nname: deployment-with-a-long-name-" + std::to_string(i) +
            "\ncontainers:\n  a:\n    image: a:1\n" + ports;
  }
  return yaml;
}

TEST(StackTemplateTest, ManyDeploymentsKeepTheDescriptionWithinItsLimit) {
  Json t = Render(ManyDeployments(40, ""));
  EXPECT_LE(t["Description"].get<std::string>().size(), 1024u);
  EXPECT_NE(t["Description"].get<std::string>().find(" more)"), std::string::npos);
  EXPECT_EQ(SpecProblems(t), "");
}

TEST(StackTemplateTest, MoreResourcesThanCloudFormationTakesIsAnError) {
  // Nine resources per balanced Deployment: 60 of them are 540.
  Result<Json> t = StackTemplate(Parse(ManyDeployments(60, "    ports: [80]\n")), Options());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("540 resources, more than CloudFormation's 500"),
            std::string::npos)
      << t.status().message();
}

// --- options --------------------------------------------------------------------------------

TEST(StackTemplateTest, DeploymentWithoutAnAmiIsAnErrorSayingWhatToPass) {
  StackOptions options = Options();
  options.default_image_id.clear();
  Result<Json> t = StackTemplate(Parse(testing::ReadExample("hello.yml")), options);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("--ami hello=ami-"), std::string::npos)
      << t.status().message();
}

TEST(StackTemplateTest, PerDeploymentAmiWinsOverTheDefault) {
  StackOptions options = Options();
  options.image_ids["hello"] = "ami-00000000000000001";
  Json t = Render(testing::ReadExample("hello.yml"), options);
  EXPECT_EQ(t["Parameters"]["HelloImageId"]["Default"], "ami-00000000000000001");
}

TEST(StackTemplateTest, MalformedAmiOrUnknownDeploymentIsAnError) {
  StackOptions options = Options();
  options.default_image_id = "ubuntu";
  EXPECT_FALSE(StackTemplate(Parse(testing::ReadExample("hello.yml")), options).ok());
  options = Options();
  options.image_ids["nope"] = kAmi;
  Result<Json> t = StackTemplate(Parse(testing::ReadExample("hello.yml")), options);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("no deployment nope"), std::string::npos);
}

}  // namespace
}  // namespace i2kit

namespace i2kit {
namespace {

TEST(StackTemplateTest, SecretsGoToSecretsManagerFromANoEchoParameterAndOnlyTheirRoleReadsThem) {
  Manifest manifest = Parse(testing::ReadExample("paper-fig5-i2kit.yml"));
  ASSERT_FALSE(manifest.deployments.empty());
  Deployment& d = manifest.deployments[0];
  EnvFromSource from;
  from.is_secret = true;
  from.object_name = "shop-secret";
  d.containers[0].env_from.push_back(from);
  ConfigObject secret;
  secret.name = "shop-secret";
  secret.data = {{"password", "s3cr3t-pa55"}};
  manifest.secrets.push_back(secret);
  Result<Json> rendered = StackTemplate(manifest, Options());
  ASSERT_TRUE(rendered.ok()) << rendered.status().message();
  const Json& t = *rendered;
  EXPECT_EQ(t.dump().find("s3cr3t"), std::string::npos);  // the value is deploy's to give
  const Json& parameter = t["Parameters"]["NginxDeploymentSecretsValue"];
  EXPECT_EQ(parameter["NoEcho"], true);
  EXPECT_EQ(parameter["Type"], "String");
  EXPECT_FALSE(parameter.contains("Default"));
  EXPECT_EQ(Resource(t, "NginxDeploymentSecrets")["Type"], "AWS::SecretsManager::Secret");
  EXPECT_EQ(Properties(t, "NginxDeploymentSecrets")["SecretString"],
            Json({{"Ref", "NginxDeploymentSecretsValue"}}));
  const Json& statements =
      Properties(t, "NginxDeploymentInstanceRole")["Policies"][0]["PolicyDocument"]["Statement"];
  const Json& last = statements.back();
  EXPECT_EQ(last["Action"], "secretsmanager:GetSecretValue");
  EXPECT_EQ(last["Resource"], Json({{"Ref", "NginxDeploymentSecrets"}}));
}

TEST(StackTemplateTest, ADeploymentWithoutSecretsHasNoSecretNorTheRightToReadOne) {
  Json t = Render(testing::ReadExample("paper-fig5-i2kit.yml"));
  EXPECT_TRUE(IdsOfType(t, "AWS::SecretsManager::Secret").empty());
  EXPECT_EQ(t.dump().find("secretsmanager"), std::string::npos);
}

// --- persistent volumes -----------------------------------------------------------------------

constexpr const char* kRedis =
    "name: cache\ncontainers:\n  redis:\n    image: redis:7\n"
    "    volumes: [data:1536Mi:/data]\n";

TEST(StackTemplateTest, APersistentVolumeIsAnEncryptedGp3VolumeKeptAsASnapshot) {
  Json t = Render(kRedis);
  const Json& volume = Resource(t, "CacheDataVolume");
  EXPECT_EQ(volume["Type"], "AWS::EC2::Volume");
  EXPECT_EQ(volume["DeletionPolicy"], "Snapshot");
  EXPECT_EQ(volume["UpdateReplacePolicy"], "Snapshot");
  const Json& p = volume["Properties"];
  EXPECT_EQ(p["Size"], 2);  // 1.5 GiB rounded up to whole GiB
  EXPECT_EQ(p["VolumeType"], "gp3");
  EXPECT_EQ(p["Encrypted"], true);
  EXPECT_FALSE(p.contains("KmsKeyId"));  // the account's default EBS key
  EXPECT_EQ(p["AvailabilityZone"], (Json{{"Ref", "VolumeZone"}}));
  EXPECT_EQ(p["Tags"][1], (Json{{"Key", "i2kit:deployment"}, {"Value", "cache"}}));
  EXPECT_EQ(p["Tags"][2],
            (Json{{"Key", "i2kit:stack"}, {"Value", {{"Fn::Sub", "${AWS::StackName}"}}}}));
  EXPECT_EQ(p["Tags"][3], (Json{{"Key", "i2kit:volume"}, {"Value", "data"}}));
  EXPECT_EQ(t["Parameters"]["VolumeZone"]["Type"], "AWS::EC2::AvailabilityZone::Name");
  EXPECT_EQ(t["Parameters"]["VolumeSubnet"]["Type"], "AWS::EC2::Subnet::Id");
  EXPECT_EQ(SpecProblems(t), "");
}

TEST(StackTemplateTest, TheStatefulGroupIsPinnedToTheVolumesZoneAndNeverRunsTwoInstances) {
  Json t = Render(kRedis);
  const Json& group = Properties(t, "CacheGroup");
  EXPECT_EQ(group["VPCZoneIdentifier"], Json::array({Json{{"Ref", "VolumeSubnet"}}}));
  EXPECT_EQ(group["MaxSize"], "1");
  const Json& update = Resource(t, "CacheGroup")["UpdatePolicy"]["AutoScalingRollingUpdate"];
  EXPECT_EQ(update["MinInstancesInService"], 0);
  EXPECT_EQ(update["MaxBatchSize"], 1);
}

TEST(StackTemplateTest, UserDataNamesEachVolumesIdForTheReporter) {
  Json t = Render(kRedis);
  std::string text =
      Properties(t,
                 "CacheLaunchTemplate")["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Sub"]
          .get<std::string>();
  Json data = Json::parse(text);
  EXPECT_EQ(data["volumes"], (Json{{"data", "${CacheDataVolume}"}}));
  // A deployment without volumes has no such key.
  Json web = Render("name: web\ncontainers:\n  web:\n    image: nginx:1\n");
  std::string plain =
      Properties(web,
                 "WebLaunchTemplate")["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Sub"]
          .get<std::string>();
  EXPECT_FALSE(Json::parse(plain).contains("volumes"));
}

TEST(StackTemplateTest, TheRoleAttachesOnlyItsOwnVolumesToItsOwnGroupsInstances) {
  Json t = Render(kRedis);
  const Json& statements =
      Properties(t, "CacheInstanceRole")["Policies"][0]["PolicyDocument"]["Statement"];
  std::vector<Json> attach;
  for (const Json& s : statements) {
    if (s["Action"] == "ec2:AttachVolume") attach.push_back(s);
  }
  ASSERT_EQ(attach.size(), 2u);
  EXPECT_EQ(attach[0]["Resource"],
            Json::array({Json{{"Fn::Sub",
                               "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:volume/"
                               "${CacheDataVolume}"}}}));
  EXPECT_FALSE(attach[0].contains("Condition"));
  EXPECT_EQ(attach[1]["Condition"]["StringEquals"]["ec2:ResourceTag/aws:autoscaling:groupName"],
            (Json{{"Fn::Sub", "${AWS::StackName}-cache"}}));
  bool describe = false;
  for (const Json& s : statements) {
    if (s["Action"] == "ec2:DescribeVolumes") describe = s["Resource"] == "*";
  }
  EXPECT_TRUE(describe);
  // Nothing of EC2 for a deployment without volumes.
  Json web = Render("name: web\ncontainers:\n  web:\n    image: nginx:1\n");
  EXPECT_EQ(
      Properties(web, "WebInstanceRole")["Policies"][0]["PolicyDocument"]["Statement"].dump().find(
          "ec2:"),
      std::string::npos);
}

TEST(StackTemplateTest, AKubernetesClaimBecomesAVolumeNamedAfterThePodsVolume) {
  Json t = Render(R"(apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: pg-data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 10Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: pg}
spec:
  replicas: 1
  selector: {matchLabels: {app: pg}}
  template:
    metadata: {labels: {app: pg}}
    spec:
      containers:
      - name: pg
        image: postgres:16
        volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: pg-data}
)");
  EXPECT_EQ(Properties(t, "PgDataVolume")["Size"], 10);
  EXPECT_EQ(SpecProblems(t), "");
}

TEST(StackTemplateTest, AModelWithTwoReplicasOfAPersistentVolumeIsRefused) {
  Manifest m = Parse(kRedis);
  m.deployments[0].replicas = 2;
  Result<Json> t = StackTemplate(m, Options());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("replicas 0 or 1 and the Recreate strategy"),
            std::string::npos)
      << t.status().message();
}

}  // namespace
}  // namespace i2kit
