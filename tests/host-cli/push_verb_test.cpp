// push, and deploy and diff without --ami, end to end against the local AWS stand-in: the disk
// goes up through the EBS direct APIs (checked block by block there), the snapshot is
// registered as an AMI, and an AMI of the same image digest is reused (by diff, only looked up).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws-client/ebs_api.h"
#include "aws-deploy/ami_publisher.h"
#include "aws-deploy/httplib_transport.h"
#include "common/base64.h"
#include "common/vm_artifacts.h"
#include "host-cli/aws_verbs_test.h"
#include "host-cli/stand_in_build.h"
#include "image-builder/boot_disk.h"
#include "image-builder/initrd_listing.h"
#include "image-builder/run_tool.h"

namespace i2kit {
namespace {

constexpr size_t kBlock = aws::kSnapshotBlockSize;
const char kDigest[] = "sha256:5d41402abc4b2a76b9719d911017c592aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A block of the test disk: a byte pattern of its own, so a block sent in the wrong place or
// with the wrong content gets another checksum.
std::string DataBlock(int index) {
  std::string block(kBlock, '\0');
  for (size_t i = 0; i < block.size(); i += 4096) block[i] = static_cast<char>(index + 1);
  return block;
}

// What EBS keeps of a block: the base64 of its SHA-256.
std::string Checksum(const std::string& data) {
  aws::Sha256Digest digest = aws::Sha256Of(data);
  return Base64Encode({reinterpret_cast<const char*>(digest.data()), digest.size()});
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class PushVerbTest : public AwsVerbsTest {
 protected:
  // Builds DIR/out/hello as `build` would for examples/hello.yml: vm.json and a disk.raw of
  // 6.5 blocks, a GPT disk (block 0, and the backup in the partial last one, 6) whose other
  // data is in block 3 and also in block 6. Its build key is the one of hello_ built with tools_:
  // the verbs find it up to date (stand_in_build.h), and a rebuild fails on the image's first blob.
  void SetUp() override {
    AwsVerbsTest::SetUp();
    out_ = dir_ / "out";
    hello_ = Write("hello.yml", "name: hello\ncontainers:\n  web:\n    image: " +
                                    testing::WriteIndexOnlyLayout(dir_ / "layout") +
                                    "\n    ports:\n      - http:8080:http:8080\n");
    stand_in_tools_ = testing::WriteStandInTools(dir_);
    std::filesystem::path artifacts = out_ / "hello";
    VmArtifacts vm;
    vm.deployment = "hello";
    vm.boot_disk = "disk.raw";
    vm.image_digest = kDigest;
    ASSERT_TRUE(testing::WriteUpToDateArtifacts(hello_, stand_in_tools_.tools, out_, vm));
    std::filesystem::path disk = artifacts / "disk.raw";
    disk_ = disk;
    std::ofstream(disk, std::ios::binary) << std::string(6 * kBlock + kBlock / 2, '\0');
    std::ofstream(dir_ / "gpt.sfdisk") << "label: gpt\n";
    ASSERT_TRUE(RunTool({"sfdisk", "--quiet", disk.string()}, (dir_ / "gpt.sfdisk").string()).ok());
    std::fstream file(disk, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(3 * kBlock);
    file << DataBlock(3);
    file.seekp(6 * kBlock + 100);
    file << 'x';
  }

  // What a 1 GiB volume made from the disk holds, block index → checksum: what EBS must get.
  nlohmann::json VolumeBlocks() {
    std::filesystem::path volume = dir_ / "volume.raw";
    std::filesystem::copy_file(disk_, volume, std::filesystem::copy_options::overwrite_existing);
    EXPECT_TRUE(GrowBootDisk(volume, uint64_t{1} << 30).ok());
    Result<DiskBlocks> scanned = ScanDisk(volume);  // its sparse gigabyte is skipped
    EXPECT_TRUE(scanned.ok());
    std::ifstream in(volume, std::ios::binary);
    nlohmann::json blocks = nlohmann::json::object();
    std::string block(kBlock, '\0');
    for (int64_t index : scanned->data) {
      in.seekg(index * static_cast<int64_t>(kBlock));
      in.read(block.data(), kBlock);
      blocks[std::to_string(index)] = Checksum(block);
    }
    return blocks;
  }

  // `args` with the stand-in build tools.
  std::vector<std::string> WithTools(std::vector<std::string> args) {
    args.insert(args.end(), stand_in_tools_.args.begin(), stand_in_tools_.args.end());
    return args;
  }

  // `verb` (deploy or diff) of hello_ with its build under `out`, without --ami: it builds
  // first, and the stand-in image fails that before AWS is asked anything.
  void ExpectBuildBeforeAws(const std::string& verb, const std::filesystem::path& out) {
    std::vector<std::string> args = WithTools({verb, hello_, "-o", out.string()});
    args.insert(args.end(), kAccount.begin(), kAccount.end());
    CliRun run = Aws(args);
    EXPECT_EQ(run.code, 1);
    EXPECT_TRUE(Contains(run.err, "i2kit-host " + verb + ": building hello: ")) << run.err;
    EXPECT_TRUE(stand_in_.Requests().empty());
  }

  CliRun Push(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = WithTools({"push", hello_, "-o", out_.string()});
    args.insert(args.end(), extra.begin(), extra.end());
    return Aws(args);
  }

  std::string hello_;
  testing::StandInTools stand_in_tools_;
  std::filesystem::path out_;
  std::filesystem::path disk_;
};

TEST_F(PushVerbTest, PushUploadsOnlyTheBlocksHoldingDataWithTheirChecksums) {
  CliRun run = Push();
  ASSERT_EQ(run.code, 0) << run.err;
  nlohmann::json snapshots = stand_in_.Snapshots();
  ASSERT_EQ(snapshots.size(), 1u) << snapshots.dump();
  const nlohmann::json& snapshot = snapshots[0];
  EXPECT_EQ(snapshot["state"], "completed");
  EXPECT_EQ(snapshot["volume_size"], 1);
  // The GPT (block 0), block 3, the old tail (6) and the backup GPT at the volume's end.
  nlohmann::json expected = VolumeBlocks();
  EXPECT_EQ(snapshot["blocks"], expected);
  ASSERT_EQ(expected.size(), 4u) << expected.dump();
  EXPECT_EQ(expected["3"], Checksum(DataBlock(3)));
  EXPECT_TRUE(expected.contains("2047")) << expected.dump();
  EXPECT_EQ(Requests("PutSnapshotBlock").size(), 4u);
  std::vector<nlohmann::json> completed = Requests("CompleteSnapshot");
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0]["params"]["ChangedBlocksCount"], 4);
  EXPECT_EQ(completed[0]["params"]["ChecksumAggregationMethod"], "LINEAR");

  nlohmann::json images = stand_in_.Images();
  ASSERT_EQ(images.size(), 1u) << images.dump();
  const nlohmann::json& image = images[0];
  EXPECT_EQ(run.out, "hello " + image["ImageId"].get<std::string>() + "\n");
  EXPECT_EQ(image["Name"], "i2kit-hello-5d41402abc4b2a76");
  EXPECT_EQ(image["BootMode"], "uefi-preferred");
  EXPECT_EQ(image["EnaSupport"], true);
  EXPECT_EQ(image["ImdsSupport"], "v2.0");
  EXPECT_EQ(image["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"], snapshot["id"]);
  EXPECT_EQ(image["BlockDeviceMappings"][0]["Ebs"]["VolumeType"], "gp3");
  EXPECT_TRUE(Contains(image["Tags"].dump(),
                       R"({"Key":"i2kit:image-digest","Value":")" + std::string(kDigest) + "\"}"))
      << image["Tags"].dump();
  EXPECT_TRUE(Contains(run.err, "4 of 2048 blocks hold data (2.0 MiB)")) << run.err;
}

TEST_F(PushVerbTest, ASecondPushOfTheSameDigestReusesTheAmiAndUploadsNothing) {
  CliRun first = Push();
  ASSERT_EQ(first.code, 0) << first.err;
  CliRun second = Push();
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(second.out, first.out);
  EXPECT_TRUE(Contains(second.err, "hello: reusing ami-")) << second.err;
  EXPECT_EQ(Requests("StartSnapshot").size(), 1u);
  EXPECT_EQ(Requests("PutSnapshotBlock").size(), 4u);
  EXPECT_EQ(Requests("RegisterImage").size(), 1u);
}

TEST_F(PushVerbTest, AnImageAnEarlierPushDidNotTagIsFoundByNameTaggedAndReused) {
  // An image of the name a push gives this digest, registered without tags (as pushes did
  // before RegisterImage carried its tags).
  HttplibTransport transport;
  aws::RetryPolicy policy;
  aws::ClientContext context = stand_in_.Context(transport, policy);
  aws::EbsClient ebs(context);
  Result<aws::StartedSnapshot> started = ebs.StartSnapshot({1, "", {}, "earlier"});
  ASSERT_TRUE(started.ok()) << started.status().message();
  std::string block = DataBlock(0);
  aws::Sha256Digest digest = aws::Sha256Of(block);
  ASSERT_TRUE(ebs.PutSnapshotBlock(started->snapshot_id, 0, block, digest).ok());
  ASSERT_TRUE(ebs.CompleteSnapshot(started->snapshot_id, 1, aws::LinearChecksum({digest})).ok());
  aws::Ec2Client ec2(context);
  for (int i = 0; i < 10 && (*ec2.DescribeSnapshot(started->snapshot_id))->state != "completed";
       ++i) {
  }
  ASSERT_TRUE(ec2.RegisterImage({"i2kit-hello-5d41402abc4b2a76", "", started->snapshot_id}).ok());

  CliRun again = Push();
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(Contains(again.err, "registered by an earlier push that did not tag it"))
      << again.err;
  EXPECT_EQ(Requests("StartSnapshot").size(), 1u);  // the test's: the push uploaded nothing
  EXPECT_EQ(Requests("RegisterImage").size(), 1u);
  nlohmann::json images = stand_in_.Images();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(again.out, "hello " + images[0]["ImageId"].get<std::string>() + "\n");
  EXPECT_TRUE(Contains(images[0]["Tags"].dump(), kDigest)) << images[0]["Tags"].dump();
}

TEST_F(PushVerbTest, PushWaitsOutASnapshotAndAnImageAwsDoesNotKnowYet) {
  // Eventual consistency: each new resource is unknown to the calls naming it, twice.
  ASSERT_TRUE(stand_in_.SetMode("consistency", {{"unknown_for", 2}}));
  CliRun run = Push({"--uploads", "2"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(Contains(run.err,
                       "ebs PutSnapshotBlock: ResourceNotFoundException (a new "
                       "resource AWS does not know everywhere yet); retrying"))
      << run.err;
  EXPECT_EQ(stand_in_.Snapshots()[0]["blocks"], VolumeBlocks());
  nlohmann::json images = stand_in_.Images();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_TRUE(Contains(images[0]["Tags"].dump(), kDigest)) << images[0]["Tags"].dump();
  // The image was tagged as it was registered: nothing had to find it right after.
  EXPECT_TRUE(Requests("CreateTags").empty());
}

TEST_F(PushVerbTest, DeployWithoutAmiPassesWhenAwsIsEventuallyConsistent) {
  ASSERT_TRUE(stand_in_.SetMode("consistency", {{"unknown_for", 3}}));
  std::vector<std::string> args = WithTools({"deploy", hello_, "-o", out_.string()});
  args.insert(args.end(), kAccount.begin(), kAccount.end());
  CliRun run = Aws(args);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(Contains(run.out, "stack hello CREATE_COMPLETE")) << run.out;
}

TEST_F(PushVerbTest, PushWithAClockTenMinutesBehindCorrectsItFromAwsDate) {
  ASSERT_TRUE(stand_in_.SetMode("clock", {{"skew_seconds", 600}}));
  CliRun run = Push();
  ASSERT_EQ(run.code, 0) << run.err;
  // The first call is refused (EC2's RequestExpired), the rest signed with AWS's time.
  EXPECT_TRUE(Contains(run.err, "ec2 DescribeImages: RequestExpired: this clock is 6")) << run.err;
  EXPECT_TRUE(Contains(run.err, "signing again with AWS's time")) << run.err;
  EXPECT_EQ(stand_in_.Snapshots()[0]["blocks"], VolumeBlocks());
}

TEST_F(PushVerbTest, PushPassesWithThePolicyPolicyPushPrintsAndDeployIsRefusedWithIt) {
  CliRun printed = RunCli({"policy", "push"});
  ASSERT_EQ(printed.code, 0) << printed.err;
  ASSERT_TRUE(stand_in_.SetMode("policy", nlohmann::json::parse(printed.out)));
  CliRun run = Push();
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(stand_in_.Images().size(), 1u);
  std::vector<std::string> args = WithTools({"deploy", hello_, "-o", out_.string()});
  args.insert(args.end(), kAccount.begin(), kAccount.end());
  CliRun deploy = Aws(args);
  EXPECT_EQ(deploy.code, 1);
  EXPECT_TRUE(Contains(deploy.err,
                       "AccessDenied: User: arn:aws:iam::123456789012:user/"
                       "i2kit-stand-in is not authorized to perform: "
                       "cloudformation:"))
      << deploy.err;
}

TEST_F(PushVerbTest, AThrottledBlockIsRetried) {
  ASSERT_TRUE(stand_in_.AddFault({{"throttle", {{"count", 2}, {"action", "PutSnapshotBlock"}}}}));
  CliRun run = Push({"--uploads", "2"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(Contains(run.err, "ebs PutSnapshotBlock: Throttling; retrying in")) << run.err;
  EXPECT_EQ(Requests("PutSnapshotBlock").size(), 6u);  // 2 throttled, 4 written
  EXPECT_EQ(stand_in_.Snapshots()[0]["blocks"].size(), 4u);
}

TEST_F(PushVerbTest, AnUploadThatFailsDeletesItsSnapshot) {
  // One upload at a time: the block's three attempts all fail.
  ASSERT_TRUE(
      stand_in_.AddFault({{"server_error", {{"count", 3}, {"action", "PutSnapshotBlock"}}}}));
  CliRun run = Push({"--uploads", "1"});
  ASSERT_NE(run.code, 0) << run.err;
  EXPECT_TRUE(Contains(run.err, "ebs PutSnapshotBlock: ServiceUnavailable")) << run.err;
  std::vector<nlohmann::json> started = Requests("StartSnapshot");
  ASSERT_EQ(started.size(), 1u);
  std::vector<nlohmann::json> deleted = Requests("DeleteSnapshot");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_TRUE(Contains(
      run.err, "hello: deleted snapshot " + deleted[0]["params"]["SnapshotId"].get<std::string>()))
      << run.err;
  EXPECT_EQ(stand_in_.Snapshots(), nlohmann::json::array()) << stand_in_.Snapshots().dump();
  EXPECT_TRUE(stand_in_.Images().empty());
}

TEST_F(PushVerbTest, ACompleteSnapshotThatFailsDeletesTheSnapshot) {
  ASSERT_TRUE(
      stand_in_.AddFault({{"server_error", {{"count", 3}, {"action", "CompleteSnapshot"}}}}));
  CliRun run = Push();
  ASSERT_NE(run.code, 0) << run.err;
  EXPECT_TRUE(Contains(run.err, "ebs CompleteSnapshot: ServiceUnavailable")) << run.err;
  EXPECT_EQ(Requests("DeleteSnapshot").size(), 1u);
  EXPECT_EQ(stand_in_.Snapshots(), nlohmann::json::array()) << stand_in_.Snapshots().dump();
}

TEST_F(PushVerbTest, ASnapshotThatCannotBeDeletedIsNamedInTheError) {
  ASSERT_TRUE(
      stand_in_.AddFault({{"server_error", {{"count", 3}, {"action", "CompleteSnapshot"}}}}));
  ASSERT_TRUE(stand_in_.AddFault({{"server_error", {{"count", 3}, {"action", "DeleteSnapshot"}}}}));
  CliRun run = Push();
  ASSERT_NE(run.code, 0) << run.err;
  nlohmann::json snapshots = stand_in_.Snapshots();
  ASSERT_EQ(snapshots.size(), 1u);
  EXPECT_TRUE(Contains(run.err, "; snapshot " + snapshots[0]["id"].get<std::string>() +
                                    " was left behind, delete it by hand (ec2 DeleteSnapshot: "
                                    "ServiceUnavailable"))
      << run.err;
}

TEST_F(PushVerbTest, PushOfAnArtifactsDirectoryPushesThatDeployment) {
  CliRun run = Aws({"push", (out_ / "hello").string()});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("hello ami-", 0), 0u) << run.out;
  EXPECT_EQ(Requests("RegisterImage").size(), 1u);
}

TEST_F(PushVerbTest, PushOfAManifestNotBuiltBuildsItFirst) {
  // The example image, and a kernel, agent and reporter whose bytes need not run: building
  // copies them.
  std::filesystem::path images = dir_ / "images";
  Result<ToolOutput> made =
      RunTool({std::string(I2KIT_SOURCE_DIR) + "/examples/build-images.sh", images.string()});
  ASSERT_TRUE(made.ok()) << made.status().message();
  std::ofstream(dir_ / "bzImage") << "a kernel";
  std::ofstream(dir_ / "agent") << "an agent";
  std::ofstream(dir_ / "reporter") << "a reporter";
  // A Kubernetes Deployment whose ConfigMap is built into its image, as `build` does it.
  std::string manifest = Write("web.yml", R"(apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {greeting: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: httpd
        image: oci:)" + (images / "busybox-httpd").string() +
                                              R"(:latest
        env:
        - name: GREETING
          valueFrom: {configMapKeyRef: {name: settings, key: greeting}}
)");
  std::filesystem::path out = dir_ / "built";
  auto push = [&] {
    return Aws({"push", manifest, "-o", out.string(), "--kernel", (dir_ / "bzImage").string(),
                "--agent", (dir_ / "agent").string(), "--ec2-reporter",
                (dir_ / "reporter").string()});
  };
  CliRun run = push();
  ASSERT_EQ(run.code, 0) << run.err;
  Result<VmArtifacts> built = ReadVmArtifacts((out / "web").string());
  ASSERT_TRUE(built.ok()) << built.status().message();
  EXPECT_TRUE(Contains(run.err, "web: built " + built->image_digest)) << run.err;
  nlohmann::json images_registered = stand_in_.Images();
  ASSERT_EQ(images_registered.size(), 1u);
  EXPECT_EQ(run.out, "web " + images_registered[0]["ImageId"].get<std::string>() + "\n");
  EXPECT_TRUE(Contains(images_registered[0]["Tags"].dump(), built->image_digest));
  EXPECT_FALSE(stand_in_.Snapshots()[0]["blocks"].empty());
  nlohmann::json spec = nlohmann::json::parse(
      testing::ListInitrd(out / "web" / "initrd.img")["etc/i2kit/pod.json"].data);
  EXPECT_EQ(spec["configMaps"][0]["name"], "settings") << spec["configMaps"].dump();

  // Unchanged, it is the same image: nothing is built, the AMI is reused.
  CliRun again = push();
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(Contains(again.err, "web: up to date, image " + built->image_digest)) << again.err;
  EXPECT_EQ(Requests("RegisterImage").size(), 1u);
  // A new value of the ConfigMap it refers to is a new image, built and pushed.
  std::string text = ReadAll(manifest);
  text.replace(text.find("greeting: hello"), 15, "greeting: bonjour");
  Write("web.yml", text);
  CliRun changed = push();
  ASSERT_EQ(changed.code, 0) << changed.err;
  Result<VmArtifacts> rebuilt = ReadVmArtifacts((out / "web").string());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().message();
  EXPECT_NE(rebuilt->image_digest, built->image_digest);
  EXPECT_TRUE(Contains(changed.err, "web: built " + rebuilt->image_digest)) << changed.err;
  EXPECT_EQ(Requests("RegisterImage").size(), 2u);
}

TEST_F(PushVerbTest, PushOfAManifestUpToDateBuildsNothing) {
  CliRun run = Push();
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(Contains(run.err, std::string("hello: up to date, image ") + kDigest)) << run.err;
}

TEST_F(PushVerbTest, PushOfAManifestWhoseAgentChangedBuildsItAgainBeforeUploading) {
  std::ofstream(dir_ / "agent") << "a new agent";
  CliRun run = Push();
  EXPECT_EQ(run.code, 1);
  // The stand-in image has no blobs: the rebuild fails, and nothing stale goes up.
  EXPECT_TRUE(Contains(run.err, "i2kit-host push: building hello: ")) << run.err;
  EXPECT_TRUE(Requests("StartSnapshot").empty());
}

TEST_F(PushVerbTest, DeployOfAManifestChangedSinceItsBuildBuildsItAgainBeforeTouchingAws) {
  Write("hello.yml", ReadAll(hello_) + "    environment:\n      - GREETING=bonjour\n");
  ExpectBuildBeforeAws("deploy", out_);
}

TEST_F(PushVerbTest, DeployWithoutAmiPushesThenCreatesTheStackWithThatAmi) {
  std::vector<std::string> args = WithTools({"deploy", hello_, "-o", out_.string()});
  args.insert(args.end(), kAccount.begin(), kAccount.end());
  CliRun run = Aws(args);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(Contains(run.out, "stack hello CREATE_COMPLETE")) << run.out;
  nlohmann::json images = stand_in_.Images();
  ASSERT_EQ(images.size(), 1u);
  std::vector<nlohmann::json> created = Requests("CreateChangeSet");
  ASSERT_EQ(created.size(), 1u);
  nlohmann::json stack_template =
      nlohmann::json::parse(created[0]["params"]["TemplateBody"].get<std::string>());
  EXPECT_EQ(stack_template["Parameters"]["HelloImageId"]["Default"], images[0]["ImageId"]);
  EXPECT_EQ(Requests("RegisterImage").size(), 1u);
}

TEST_F(PushVerbTest, DiffWithoutAmiShowsTheAmiAPushMadeAndUploadsNothing) {
  CliRun push = Push();
  ASSERT_EQ(push.code, 0) << push.err;
  std::vector<std::string> args = WithTools({"diff", hello_, "-o", out_.string()});
  args.insert(args.end(), kAccount.begin(), kAccount.end());
  CliRun diff = Aws(args);
  ASSERT_EQ(diff.code, 0) << diff.err;
  EXPECT_TRUE(Contains(diff.out, "new stack hello: ")) << diff.out;
  std::vector<nlohmann::json> created = Requests("CreateChangeSet");
  ASSERT_EQ(created.size(), 1u);
  nlohmann::json stack_template =
      nlohmann::json::parse(created[0]["params"]["TemplateBody"].get<std::string>());
  EXPECT_EQ(stack_template["Parameters"]["HelloImageId"]["Default"],
            stand_in_.Images()[0]["ImageId"]);
  EXPECT_EQ(Requests("StartSnapshot").size(), 1u);  // the push's only
  EXPECT_EQ(Requests("RegisterImage").size(), 1u);
}

TEST_F(PushVerbTest, DiffWithoutAmiOfAnImageNotPushedSaysToPush) {
  std::vector<std::string> args = WithTools({"diff", hello_, "-o", out_.string()});
  args.insert(args.end(), kAccount.begin(), kAccount.end());
  CliRun diff = Aws(args);
  EXPECT_EQ(diff.code, 1);
  EXPECT_TRUE(Contains(diff.err, std::string("i2kit-host diff: hello: image ") + kDigest +
                                     " is not pushed yet (no AMI tagged with it): run "
                                     "`i2kit-host push` first, or pass --ami"))
      << diff.err;
  EXPECT_TRUE(Requests("StartSnapshot").empty());
  EXPECT_TRUE(Requests("CreateChangeSet").empty());
}

TEST_F(PushVerbTest, DiffWithoutAmiOfADeploymentNotBuiltBuildsItToKnowItsDigest) {
  ExpectBuildBeforeAws("diff", dir_ / "elsewhere");
}

TEST_F(PushVerbTest, DiffWithoutAmiOfADeploymentChangedSinceItsBuildBuildsItAgain) {
  std::ofstream(dir_ / "bzImage") << "a new kernel";
  ExpectBuildBeforeAws("diff", out_);
}

TEST_F(PushVerbTest, DeployWithAnAmiPushesNothing) {
  std::vector<std::string> args = {"deploy", Example("hello.yml"), "--ami", "ami-12345678",
                                   "-o",     out_.string()};
  args.insert(args.end(), kAccount.begin(), kAccount.end());
  CliRun run = Aws(args);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(Requests("DescribeImages").empty());
  EXPECT_TRUE(Requests("StartSnapshot").empty());
}

TEST_F(PushVerbTest, DeployWithoutAmiOfADeploymentThatFailsToBuildChangesNoStack) {
  std::vector<std::string> args = {
      "deploy",   Example("hello.yml"),          "-o",      (dir_ / "elsewhere").string(),
      "--kernel", (dir_ / "no-kernel").string(), "--agent", (dir_ / "no-agent").string()};
  args.insert(args.end(), kAccount.begin(), kAccount.end());
  CliRun run = Aws(args);
  EXPECT_EQ(run.code, 1);
  EXPECT_TRUE(Contains(run.err, "i2kit-host deploy: building hello: ")) << run.err;
  EXPECT_TRUE(stand_in_.Requests().empty());
}

}  // namespace
}  // namespace i2kit
