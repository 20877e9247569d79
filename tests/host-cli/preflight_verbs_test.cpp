// deploy's (and diff's) preflight against the stand-in's account (tests/aws-stand-in/
// account.py): each badly prepared account is refused before any change, with what to fix;
// the prepared one deploys as before.
#include <gtest/gtest.h>

#include "host-cli/aws_verbs_test.h"

namespace i2kit {
namespace {

constexpr char kVpc[] = "VpcId=vpc-0a1b2c3d4e5f60718";
constexpr char kSubnet1a[] = "subnet-0a1b2c3d4e5f60001";
constexpr char kSubnet1b[] = "subnet-0a1b2c3d4e5f60002";
constexpr char kOther1a[] = "subnet-0a1b2c3d4e5f60003";
constexpr char kPublic1a[] = "subnet-0a1b2c3d4e5f60101";
constexpr char kZone[] = "Z0123456789EXAMPLEAB";  // example.com

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class PreflightVerbsTest : public AwsVerbsTest {
 protected:
  CliRun Deploy(const std::string& manifest, std::vector<std::string> extra) {
    std::vector<std::string> args = {"deploy", manifest, "--ami", "ami-11111111"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Aws(args);
  }
  CliRun DeployHello(std::vector<std::string> extra = {}) {
    if (extra.empty()) extra = kAccount;
    return Deploy(Example("hello.yml"), extra);
  }
  std::vector<std::string> Subnets(const std::string& subnets) {
    return {"--parameter", kVpc, "--parameter", "InstanceSubnets=" + subnets};
  }
  bool SetAccount(const nlohmann::json& change) {
    httplib::Client client(stand_in_.url());
    httplib::Result result = client.Post("/_stand-in/account", change.dump(), "application/json");
    return result && result->status == 200;
  }
  // Refused before anything was written: no change set, no stack.
  void ExpectNothingChanged(const CliRun& run) {
    EXPECT_EQ(run.code, 1) << run.err;
    EXPECT_TRUE(Contains(run.err,
                         "the account is not ready for stack hello; nothing was "
                         "changed."))
        << run.err;
    EXPECT_TRUE(Requests("CreateChangeSet").empty());
    EXPECT_TRUE(stand_in_.Stacks().empty()) << stand_in_.Stacks().dump();
  }
};

TEST_F(PreflightVerbsTest, APreparedAccountDeploysAfterReadingOnly) {
  CliRun run = DeployHello();
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(Contains(run.err, "preflight: the account is ready for stack hello")) << run.err;
  // Before the change set, only reads: the preflight writes nothing.
  for (const nlohmann::json& r : stand_in_.Requests()) {
    std::string action = r["action"];
    if (action == "CreateChangeSet") break;
    EXPECT_TRUE(action.starts_with("Describe") || action.starts_with("Get")) << action;
  }
  EXPECT_EQ(Requests("DescribeInstanceTypes").size(), 1u);
  EXPECT_EQ(Requests("DescribeSubnets").size(), 1u);
  EXPECT_EQ(Requests("DescribeRouteTables").size(), 1u);
  EXPECT_EQ(Requests("GetEbsEncryptionByDefault").size(), 1u);
}

TEST_F(PreflightVerbsTest, AFreshAccountWithOneSubnetIsRefusedForAnApplicationBalancer) {
  CliRun run = DeployHello(Subnets(kSubnet1a));
  ExpectNothingChanged(run);
  EXPECT_TRUE(Contains(run.err,
                       "load balancer HelloLoadBalancer (application): InstanceSubnets spans 1 "
                       "Availability Zone (us-east-1a); an application load balancer needs "
                       "subnets in at least two zones"))
      << run.err;
}

TEST_F(PreflightVerbsTest, TwoSubnetsOfOneZoneAreRefused) {
  CliRun run = DeployHello(Subnets(std::string(kSubnet1a) + "," + kOther1a));
  ExpectNothingChanged(run);
  EXPECT_TRUE(Contains(run.err, std::string("InstanceSubnets has two subnets in one "
                                            "Availability Zone: ") +
                                    kSubnet1a + " and " + kOther1a + " (us-east-1a)"))
      << run.err;
}

TEST_F(PreflightVerbsTest, AnInternetFacingBalancerMustReachEveryInstanceZone) {
  std::string manifest = Write("hello.yml",
                               "name: hello\npublic: true\ncontainers:\n  web:\n"
                               "    image: oci:/nowhere:latest\n    ports:\n"
                               "      - http:80:http:8080\n");
  std::vector<std::string> account = Subnets(std::string(kSubnet1a) + "," + kSubnet1b);
  account.insert(account.end(), {"--parameter", std::string("PublicSubnets=") + kPublic1a});
  CliRun run = Deploy(manifest, account);
  ExpectNothingChanged(run);
  EXPECT_TRUE(Contains(run.err,
                       "load balancer HelloLoadBalancer (internet-facing application): "
                       "the instances' zones us-east-1b have no subnet in PublicSubnets"))
      << run.err;
}

TEST_F(PreflightVerbsTest, PrivateSubnetsWithoutNatOrEndpointsAreRefusedThenEndpointsSuffice) {
  ASSERT_TRUE(SetAccount({{"nat", false}, {"vpc_endpoints", {"logs", "monitoring"}}}));
  CliRun run = DeployHello();
  ExpectNothingChanged(run);
  EXPECT_TRUE(Contains(run.err, std::string("InstanceSubnets cannot reach AWS (") + kSubnet1a +
                                    ": its route table rtb-0a1b2c3d4e5f60001 has no route to "
                                    "0.0.0.0/0 (no NAT gateway)"))
      << run.err;
  EXPECT_TRUE(Contains(run.err,
                       "no interface endpoint with private DNS for "
                       "com.amazonaws.us-east-1.cloudformation, "
                       "com.amazonaws.us-east-1.autoscaling: the instances could never "
                       "signal CloudFormation"))
      << run.err;
  ASSERT_TRUE(
      SetAccount({{"vpc_endpoints", {"cloudformation", "autoscaling", "monitoring", "logs"}}}));
  CliRun again = DeployHello();
  EXPECT_EQ(again.code, 0) << again.err;
}

TEST_F(PreflightVerbsTest, ADomainOutsideTheHostedZoneIsRefused) {
  std::vector<std::string> account = kAccount;
  account.insert(account.end(), {"--parameter", std::string("HostedZoneId=") + kZone});
  account.insert(account.end(), {"--domain", "shop.example.org"});
  CliRun run = DeployHello(account);
  ExpectNothingChanged(run);
  EXPECT_TRUE(Contains(run.err, std::string("--domain shop.example.org is not inside the hosted "
                                            "zone HostedZoneId names (") +
                                    kZone + ", example.com): Route 53 would refuse its records"))
      << run.err;
  account.back() = "shop.example.com";
  EXPECT_EQ(DeployHello(account).code, 0);
}

TEST_F(PreflightVerbsTest, AHostedZoneThatDoesNotExistIsRefused) {
  std::vector<std::string> account = kAccount;
  account.insert(account.end(),
                 {"--parameter", "HostedZoneId=ZNOSUCHZONE", "--domain", "example.com"});
  CliRun run = DeployHello(account);
  ExpectNothingChanged(run);
  EXPECT_TRUE(Contains(run.err, "HostedZoneId ZNOSUCHZONE: this account has no such hosted zone"))
      << run.err;
}

TEST_F(PreflightVerbsTest, ACustomerManagedDefaultEbsKeyAutoScalingMayNotUseIsRefused) {
  ASSERT_TRUE(SetAccount({{"ebs_default_key", "customer"}}));
  CliRun run = DeployHello();
  ExpectNothingChanged(run);
  EXPECT_TRUE(Contains(run.err,
                       "EBS encrypts new volumes by default with the customer managed "
                       "key arn:aws:kms:us-east-1:123456789012:key/"))
      << run.err;
  EXPECT_TRUE(Contains(run.err,
                       "does not allow Auto Scaling's service-linked role "
                       "arn:aws:iam::123456789012:role/aws-service-role/"
                       "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"))
      << run.err;
  EXPECT_TRUE(Contains(run.err, "every instance would stop at launch (Client.InternalError)"))
      << run.err;
  ASSERT_TRUE(SetAccount({{"ebs_default_key", "customer-open"}}));
  EXPECT_EQ(DeployHello().code, 0);
}

TEST_F(PreflightVerbsTest, AXenInstanceTypeIsRefusedNamingOneThatWorks) {
  std::vector<std::string> account = kAccount;
  account.insert(account.end(), {"--instance-type", "t2.micro"});
  CliRun run = DeployHello(account);
  ExpectNothingChanged(run);
  EXPECT_TRUE(Contains(run.err,
                       "deployment hello: instance type t2.micro cannot boot its image: "
                       "it runs on Xen, not Nitro, its EBS volumes are not NVMe and it "
                       "has no ENA network adapter. Use a Nitro x86-64 type instead, "
                       "such as t3.micro"))
      << run.err;
}

TEST_F(PreflightVerbsTest, AGravitonInstanceTypeInTheManifestIsRefused) {
  std::string manifest = Write("hello.yml",
                               "name: hello\ninstance_type: m7g.large\ncontainers:\n  web:\n"
                               "    image: oci:/nowhere:latest\n    ports:\n"
                               "      - http:8080:http:8080\n");
  CliRun run = Deploy(manifest, kAccount);
  ExpectNothingChanged(run);
  EXPECT_TRUE(Contains(run.err,
                       "instance type m7g.large cannot boot its image: its processors "
                       "are arm64, the image is x86-64. Use a Nitro x86-64 type "
                       "instead, such as m7i.large"))
      << run.err;
}

TEST_F(PreflightVerbsTest, DiffRefusesWhatDeployWouldRefuse) {
  CliRun diff = Aws({"diff", Example("hello.yml"), "--ami", "ami-11111111", "--parameter", kVpc,
                     "--parameter", std::string("InstanceSubnets=") + kSubnet1a});
  EXPECT_EQ(diff.code, 1);
  EXPECT_TRUE(Contains(diff.err, "i2kit-host diff: the account is not ready for stack hello"))
      << diff.err;
  EXPECT_TRUE(Requests("CreateChangeSet").empty());
}

TEST_F(PreflightVerbsTest, AnUpdateIsCheckedWithTheSubnetsTheStackKeeps) {
  ASSERT_EQ(DeployHello().code, 0);
  ASSERT_TRUE(SetAccount({{"nat", false}}));
  CliRun update = DeployHello({"--instance-type", "t3.small"});
  EXPECT_EQ(update.code, 1);
  EXPECT_TRUE(Contains(update.err, std::string("InstanceSubnets cannot reach AWS (") + kSubnet1a))
      << update.err;
  EXPECT_EQ(Requests("CreateChangeSet").size(), 1u);  // the creation's only
}

}  // namespace
}  // namespace i2kit
