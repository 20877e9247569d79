// An app past CloudFormation's 51,200 inline bytes deploys: its template goes to the account's
// template bucket (made private, encrypted and self-emptying on first use) and the change sets
// that create and update the stack name it by TemplateURL — end to end against the stand-in,
// whose CloudFormation reads it from its S3 as AWS does. A small template still goes inline.
#include <gtest/gtest.h>

#include "aws-client/sigv4.h"
#include "host-cli/aws_verbs_test.h"

namespace i2kit {
namespace {

constexpr char kBucket[] = "i2kit-templates-123456789012-us-east-1";

class LargeStackTest : public AwsVerbsTest {
 protected:
  // tests/cloudformation/data/boutique-shape.yml: 12 Deployments, 13 Services, one of them
  // internet-facing (so the stack needs public subnets too).
  CliRun DeployBoutique(const std::string& ami, bool first = false) {
    std::vector<std::string> args = {
        "deploy",
        std::string(I2KIT_SOURCE_DIR) + "/tests/cloudformation/data/boutique-shape.yml",
        "--stack-name",
        "boutique",
        "--ami",
        ami};
    if (first) {
      args.insert(args.end(), kAccount.begin(), kAccount.end());
      args.insert(args.end(), {"--parameter",
                               "PublicSubnets=subnet-0a1b2c3d4e5f60101,subnet-0a1b2c3d4e5f60102"});
    }
    return Aws(args);
  }

  size_t Count(const std::string& action) { return Requests(action).size(); }

  // The TemplateURL the CreateChangeSet request `n` named, checked against the object the
  // stand-in's S3 holds.
  std::string TemplateUrlOf(size_t n) {
    std::vector<nlohmann::json> created = Requests("CreateChangeSet");
    EXPECT_GT(created.size(), n);
    if (created.size() <= n) return "";
    const nlohmann::json& params = created[n]["params"];
    EXPECT_FALSE(params.contains("TemplateBody"));
    return params.value("TemplateURL", "");
  }
};

TEST_F(LargeStackTest, ATemplatePastTheInlineLimitCreatesAndUpdatesTheStackThroughS3) {
  CliRun created = DeployBoutique("ami-11111111", /*first=*/true);
  ASSERT_EQ(created.code, 0) << created.err;
  EXPECT_NE(created.out.find("stack boutique CREATE_COMPLETE"), std::string::npos) << created.out;
  EXPECT_NE(created.err.find("creating bucket " + std::string(kBucket)), std::string::npos)
      << created.err;
  // Two balancers, not thirteen, shown with the estimate before anything changed.
  EXPECT_NE(created.err.find("1 load balancer (network, internal)"), std::string::npos)
      << created.err;
  EXPECT_NE(created.err.find("estimate: $"), std::string::npos) << created.err;
  EXPECT_EQ(Count("GetCallerIdentity"), 1u);
  EXPECT_EQ(Count("CreateBucket"), 1u);
  EXPECT_EQ(Count("PutObject"), 1u);
  std::string url = TemplateUrlOf(0);
  EXPECT_TRUE(
      url.starts_with("https://" + std::string(kBucket) + ".s3.us-east-1.amazonaws.com/boutique/"))
      << url;
  EXPECT_EQ(Requests("CreateChangeSet")[0]["params"]["ChangeSetType"], "CREATE");

  nlohmann::json bucket = stand_in_.Buckets()[kBucket];
  EXPECT_EQ(bucket["owner"], "123456789012");
  EXPECT_EQ(bucket["public_access_block"], nlohmann::json({{"BlockPublicAcls", true},
                                                           {"IgnorePublicAcls", true},
                                                           {"BlockPublicPolicy", true},
                                                           {"RestrictPublicBuckets", true}}));
  EXPECT_EQ(bucket["encryption"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
            "AES256");
  EXPECT_EQ(bucket["lifecycle"]["Rules"][0]["Expiration"]["Days"], 7);
  EXPECT_EQ(bucket["ownership"], "BucketOwnerEnforced");
  ASSERT_EQ(bucket["objects"].size(), 1u);
  EXPECT_GT(bucket["objects"].begin().value().get<int>(), 51'200);

  // The stack's template is the one in the bucket, all of it.
  nlohmann::json stacks = stand_in_.Stacks();
  ASSERT_FALSE(stacks.empty());
  std::string body = stacks.back()["template"].is_string()
                         ? stacks.back()["template"].get<std::string>()
                         : stacks.back()["template"].dump();
  EXPECT_GT(body.size(), 51'200u);

  CliRun updated = DeployBoutique("ami-22222222");
  ASSERT_EQ(updated.code, 0) << updated.err;
  EXPECT_NE(updated.out.find("stack boutique UPDATE_COMPLETE"), std::string::npos) << updated.out;
  EXPECT_EQ(Count("CreateBucket"), 1u) << "the second run finds the bucket";
  EXPECT_EQ(Count("HeadBucket"), 2u);
  EXPECT_EQ(Count("PutObject"), 2u);
  EXPECT_EQ(Requests("CreateChangeSet")[1]["params"]["ChangeSetType"], "UPDATE");
  EXPECT_NE(TemplateUrlOf(1), url) << "a new template is a new object";
}

TEST_F(LargeStackTest, DiffPutsTheTemplateInS3TooAndChangesNothing) {
  ASSERT_EQ(DeployBoutique("ami-11111111", true).code, 0);
  CliRun diff =
      Aws({"diff", std::string(I2KIT_SOURCE_DIR) + "/tests/cloudformation/data/boutique-shape.yml",
           "--stack-name", "boutique", "--ami", "ami-33333333"});
  ASSERT_EQ(diff.code, 0) << diff.err;
  EXPECT_NE(diff.out.find("stack boutique: "), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("estimate: $"), std::string::npos) << diff.out;
  EXPECT_FALSE(TemplateUrlOf(1).empty());
  EXPECT_EQ(Count("ExecuteChangeSet"), 1u);

  CliRun json =
      Aws({"diff", std::string(I2KIT_SOURCE_DIR) + "/tests/cloudformation/data/boutique-shape.yml",
           "--stack-name", "boutique", "--ami", "ami-33333333", "--format", "json"});
  ASSERT_EQ(json.code, 0) << json.err;
  nlohmann::json out = nlohmann::json::parse(json.out);
  EXPECT_EQ(out["stack"], "boutique");
  EXPECT_FALSE(out["changes"].empty());
  EXPECT_EQ(out["estimate"]["estimate"], true);
  EXPECT_GT(out["estimate"]["monthlyTotalUsd"].get<double>(), 0);
}

TEST_F(LargeStackTest, DryRunJsonCarriesTheTemplateAndTheEstimate) {
  CliRun run = RunCli(
      {"deploy", std::string(I2KIT_SOURCE_DIR) + "/tests/cloudformation/data/boutique-shape.yml",
       "--ami", "ami-11111111", "--dry-run", "--format", "json"});
  ASSERT_EQ(run.code, 0) << run.err;
  nlohmann::json out = nlohmann::json::parse(run.out);
  EXPECT_TRUE(out["template"].contains("Resources"));
  EXPECT_EQ(out["estimate"]["region"], "us-east-1");
  int balancers = 0;
  for (const nlohmann::json& item : out["estimate"]["items"]) {
    if (item["kind"] == "load balancer") balancers += item["count"].get<int>();
  }
  EXPECT_EQ(balancers, 2);
  EXPECT_TRUE(Requests("CreateChangeSet").empty());
}

TEST_F(LargeStackTest, WithoutAWayOutTheEstimateCountsTheNatGatewayTheInstancesNeed) {
  ASSERT_TRUE(stand_in_.SetMode("account", {{"nat", false}}));
  CliRun run = DeployBoutique("ami-11111111", true);
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("1 NAT gateway (needed"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("the account is not ready"), std::string::npos) << run.err;
  EXPECT_EQ(Count("CreateChangeSet"), 0u);
}

TEST_F(LargeStackTest, TheDeployPolicyCoversTheTemplateBucket) {
  CliRun printed = RunCli({"policy", "deploy"});
  ASSERT_EQ(printed.code, 0) << printed.err;
  ASSERT_TRUE(stand_in_.SetMode("policy", nlohmann::json::parse(printed.out)));
  CliRun created = DeployBoutique("ami-11111111", true);
  ASSERT_EQ(created.code, 0) << created.err;
}

TEST_F(LargeStackTest, ABucketOfThatNameInAnotherAccountIsRefusedAndNothingIsWritten) {
  ASSERT_TRUE(stand_in_.SetMode("buckets", {{"foreign", {kBucket}}}));
  CliRun run = DeployBoutique("ami-11111111", true);
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("is not this account's"), std::string::npos) << run.err;
  EXPECT_EQ(Count("PutObject"), 0u);
  EXPECT_EQ(Count("CreateChangeSet"), 0u);
}

TEST_F(LargeStackTest, ASmallTemplateStillGoesInline) {
  CliRun run = Aws({"deploy", Example("hello.yml"), "--ami", "ami-11111111", kAccount[0],
                    kAccount[1], kAccount[2], kAccount[3]});
  ASSERT_EQ(run.code, 0) << run.err;
  std::vector<nlohmann::json> created = Requests("CreateChangeSet");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_TRUE(created[0]["params"].contains("TemplateBody"));
  EXPECT_FALSE(created[0]["params"].contains("TemplateURL"));
  EXPECT_EQ(Count("GetCallerIdentity") + Count("HeadBucket") + Count("PutObject"), 0u);
}

}  // namespace
}  // namespace i2kit
