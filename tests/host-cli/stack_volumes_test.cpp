// A stateful deployment's persistent volume on AWS, end to end against the local AWS stand-in:
// deploy pins its zone from the instance subnets and keeps it, shows the volume and its cost,
// and delete says which snapshots it kept and how to list and remove them; plus the pure parts
// (the zone's parameters, what delete prints).
#include "aws-deploy/stack_volumes.h"

#include <gtest/gtest.h>

#include "aws-deploy/volume_zone.h"
#include "host-cli/aws_verbs_test.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

constexpr const char* kRedis =
    "name: cache\ncontainers:\n  redis:\n    image: redis:7\n    ports: [6379]\n"
    "    volumes: [data:1536Mi:/data]\n";

Json TemplateWithVolumes() {
  return Json{
      {"Parameters", Json{{"VolumeZone", Json::object()}, {"VolumeSubnet", Json::object()}}}};
}

Result<std::string> ZoneOf(const std::string& subnet) {
  if (subnet == "subnet-a") return std::string("us-east-1a");
  if (subnet == "subnet-b") return std::string("us-east-1b");
  return Status::Error("no subnet " + subnet);
}

TEST(VolumeZoneTest, ANewStackTakesTheFirstInstanceSubnetAndItsZone) {
  Result<std::map<std::string, std::string>> values = VolumeZoneParameters(
      TemplateWithVolumes(), {{"InstanceSubnets", "subnet-b,subnet-a"}}, std::nullopt, ZoneOf);
  ASSERT_TRUE(values.ok()) << values.status().message();
  EXPECT_EQ(*values, (std::map<std::string, std::string>{{"VolumeSubnet", "subnet-b"},
                                                         {"VolumeZone", "us-east-1b"}}));
}

TEST(VolumeZoneTest, AnExistingStackKeepsItsZoneEvenWhenTheSubnetsAreReordered) {
  std::map<std::string, std::string> existing{{"VolumeSubnet", "subnet-a"},
                                              {"VolumeZone", "us-east-1a"},
                                              {"InstanceSubnets", "subnet-a,subnet-b"}};
  Result<std::map<std::string, std::string>> values = VolumeZoneParameters(
      TemplateWithVolumes(), {{"InstanceSubnets", "subnet-b,subnet-a"}}, existing, ZoneOf);
  ASSERT_TRUE(values.ok()) << values.status().message();
  EXPECT_TRUE(values->empty());  // UsePreviousValue for both
}

TEST(VolumeZoneTest, ASubnetInAnotherZoneThanTheVolumesIsRefused) {
  std::map<std::string, std::string> existing{{"VolumeSubnet", "subnet-a"},
                                              {"VolumeZone", "us-east-1a"}};
  Result<std::map<std::string, std::string>> values =
      VolumeZoneParameters(TemplateWithVolumes(), {{"VolumeSubnet", "subnet-b"}}, existing, ZoneOf);
  ASSERT_FALSE(values.ok());
  EXPECT_TRUE(Contains(values.status().message(),
                       "VolumeSubnet subnet-b is in us-east-1b, but the stack's persistent "
                       "volumes are in us-east-1a"))
      << values.status().message();
}

TEST(VolumeZoneTest, ATemplateWithoutVolumesNeedsNothing) {
  Result<std::map<std::string, std::string>> values =
      VolumeZoneParameters(Json::object(), {}, std::nullopt, ZoneOf);
  ASSERT_TRUE(values.ok());
  EXPECT_TRUE(values->empty());
}

TEST(KeptSnapshotsTest, DeleteNamesTheVolumesAndTheCommandsThatFilterOnThem) {
  std::vector<std::string> lines =
      KeptSnapshotsMessage("shop", {"vol-0aaa", "vol-0bbb"}, "eu-west-1");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_TRUE(Contains(lines[0],
                       "a final snapshot of each persistent volume of stack shop "
                       "(vol-0aaa, vol-0bbb)"));
  EXPECT_TRUE(Contains(lines[1],
                       "aws ec2 describe-snapshots --region eu-west-1 --owner-ids self "
                       "--filters Name=volume-id,Values=vol-0aaa,vol-0bbb"));
  EXPECT_TRUE(Contains(lines[2], "aws ec2 delete-snapshot --region eu-west-1 --snapshot-id"));
  EXPECT_TRUE(KeptSnapshotsMessage("shop", {}, "eu-west-1").empty());
}

class StackVolumesVerbsTest : public AwsVerbsTest {};

TEST_F(StackVolumesVerbsTest, DeployMakesTheVolumeInTheFirstSubnetsZoneAndDeleteKeepsItsSnapshot) {
  std::string manifest = Write("cache.yml", kRedis);
  std::vector<std::string> args = {"deploy", manifest, "--ami", "ami-11111111", "--format", "json"};
  args.insert(args.end(), kAccount.begin(), kAccount.end());
  CliRun run = Aws(args);
  ASSERT_EQ(run.code, 0) << run.err;
  Json out = Json::parse(run.out);
  EXPECT_EQ(out["volumes"][0]["volume"], "data");
  EXPECT_EQ(out["volumes"][0]["sizeGiB"], 2);
  EXPECT_TRUE(Contains(out["estimate"].dump(), "EBS persistent volume")) << out["estimate"];
  EXPECT_TRUE(Contains(out["estimate"]["excludes"].get<std::string>(), "snapshots"));
  EXPECT_TRUE(Contains(run.err, "persistent volume cache/data (CacheDataVolume): 2 GiB gp3"))
      << run.err;
  // The zone came from the first instance subnet (us-east-1a in the stand-in's account).
  std::vector<nlohmann::json> created = Requests("CreateChangeSet");
  ASSERT_EQ(created.size(), 1u);
  std::string parameters = created[0]["params"]["Parameters"].dump();
  EXPECT_TRUE(Contains(parameters, "us-east-1a")) << parameters;
  EXPECT_TRUE(Contains(parameters, "subnet-0a1b2c3d4e5f60001")) << parameters;

  // A second deploy, subnets reordered, keeps the zone (no Modify of the volume).
  std::vector<std::string> again = {"deploy",
                                    manifest,
                                    "--ami",
                                    "ami-11111111",
                                    "--parameter",
                                    "InstanceSubnets=subnet-0a1b2c3d4e5f60002,"
                                    "subnet-0a1b2c3d4e5f60001"};
  CliRun second = Aws(again);
  ASSERT_EQ(second.code, 0) << second.err;
  std::vector<nlohmann::json> updates = Requests("CreateChangeSet");
  ASSERT_EQ(updates.size(), 2u);
  for (const nlohmann::json& p : updates[1]["params"]["Parameters"]) {
    if (p["ParameterKey"] == "VolumeZone" || p["ParameterKey"] == "VolumeSubnet") {
      EXPECT_EQ(p.value("UsePreviousValue", false), true) << p;
    }
  }

  CliRun deleted = Aws({"delete", "cache"});
  ASSERT_EQ(deleted.code, 0) << deleted.err;
  EXPECT_TRUE(Contains(deleted.out,
                       "kept: a final snapshot of each persistent volume of stack "
                       "cache (vol-"))
      << deleted.out;
  EXPECT_TRUE(Contains(deleted.out, "--filters Name=volume-id,Values=vol-")) << deleted.out;
}

TEST_F(StackVolumesVerbsTest, DryRunShowsTheVolumeInItsJson) {
  std::string manifest = Write("cache.yml", kRedis);
  CliRun run =
      RunCli({"deploy", manifest, "--ami", "ami-11111111", "--dry-run", "--format", "json"});
  ASSERT_EQ(run.code, 0) << run.err;
  Json out = Json::parse(run.out);
  EXPECT_EQ(out["volumes"][0]["onDelete"], "Snapshot");
  EXPECT_EQ(out["template"]["Resources"]["CacheDataVolume"]["Type"], "AWS::EC2::Volume");
}

}  // namespace
}  // namespace i2kit
