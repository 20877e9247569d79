#include "aws-deploy/ami_publisher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "aws-client/ebs_api.h"

namespace i2kit {
namespace {

constexpr size_t kBlock = aws::kSnapshotBlockSize;

// What a fake AWS answers, by the request's operation ("ebs PutSnapshotBlock", "ec2
// DescribeImages"); thread-safe, since upload threads share it. Answers are made outside its
// lock, so that requests of several threads can be under way at once.
class FakeAws {
 public:
  using Answerer = std::function<aws::HttpExchange(const aws::HttpRequest&)>;

  void On(const std::string& operation, Answerer answer) {
    answers_[operation] = std::move(answer);
  }

  aws::HttpExchange Send(const aws::HttpRequest& request) {
    Answerer answer;
    std::string operation = OperationOf(request);
    {
      std::lock_guard lock(mutex_);
      sent_.push_back(operation);
      auto found = answers_.find(operation);
      if (found == answers_.end()) return {std::nullopt, false, "no answer for " + operation};
      answer = found->second;
    }
    return answer(request);
  }

  std::vector<std::string> Sent() {
    std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  static std::string OperationOf(const aws::HttpRequest& request) {
    if (request.path == "/snapshots") return "ebs StartSnapshot";
    if (request.path.starts_with("/snapshots/completion/")) return "ebs CompleteSnapshot";
    if (request.path.starts_with("/snapshots/")) return "ebs PutSnapshotBlock";
    std::string action = request.body.substr(request.body.find('=') + 1);
    return "ec2 " + action.substr(0, action.find('&'));
  }

  std::mutex mutex_;
  std::map<std::string, Answerer> answers_;
  std::vector<std::string> sent_;
};

class FakeTransport : public aws::HttpTransport {
 public:
  explicit FakeTransport(FakeAws& aws) : aws_(aws) {}
  aws::HttpExchange Send(const aws::ServiceEndpoint&, const aws::HttpRequest& request) override {
    return aws_.Send(request);
  }

 private:
  FakeAws& aws_;
};

aws::HttpExchange Reply(int status, std::string body) {
  return {aws::HttpResponse{status, {}, std::move(body)}, false, ""};
}

std::string Ec2(const std::string& action, const std::string& members) {
  return "<" + action + "Response><requestId>r</requestId>" + members + "</" + action + "Response>";
}

class AmiPublisherTest : public ::testing::Test {
 protected:
  AmiPublisherTest() : transport_(aws_), log_(log_text_, false) {
    context_.credentials = {"AKIDEXAMPLE", "secret", "", std::nullopt};
    context_.region = "eu-west-1";
    context_.transport = &transport_;
    context_.retry_policy = &policy_;
    context_.now = aws::SystemNow;
    context_.sleep = [](std::chrono::milliseconds) {};
    dir_ = std::filesystem::temp_directory_path() /
           ("i2kit-ami-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    source_ = {"web", dir_ / "disk.raw", "sha256:abcdef"};
    aws_.On("ec2 DescribeImages", [](const aws::HttpRequest&) {
      return Reply(200, Ec2("DescribeImages", "<imagesSet/>"));
    });
    aws_.On("ebs StartSnapshot", [](const aws::HttpRequest&) {
      return Reply(201, R"({"SnapshotId":"snap-1","BlockSize":524288,"Status":"pending"})");
    });
    aws_.On("ebs PutSnapshotBlock", [](const aws::HttpRequest&) { return Reply(201, ""); });
    aws_.On("ebs CompleteSnapshot",
            [](const aws::HttpRequest&) { return Reply(202, R"({"Status":"pending"})"); });
    aws_.On("ec2 DeleteSnapshot", [](const aws::HttpRequest&) {
      return Reply(200, Ec2("DeleteSnapshot", "<return>true</return>"));
    });
  }

  int CountSent(const std::string& operation) {
    std::vector<std::string> sent = aws_.Sent();
    return static_cast<int>(std::count(sent.begin(), sent.end(), operation));
  }
  ~AmiPublisherTest() override { std::filesystem::remove_all(dir_); }

  // A disk of `blocks` blocks whose blocks `data` hold bytes; `tail` bytes more at the end.
  void WriteDisk(size_t blocks, std::vector<size_t> data, size_t tail = 0) {
    std::string disk(blocks * kBlock + tail, '\0');
    for (size_t index : data) disk[index * kBlock + 7] = 1;
    if (tail) disk[blocks * kBlock] = 1;
    std::ofstream(source_.disk, std::ios::binary) << disk;
  }

  Result<PublishedAmi> Publish(int in_flight = 1) {
    AmiPublisher publisher(context_, [this] { return std::make_unique<FakeTransport>(aws_); }, log_,
                           // Raw test data, no GPT: uploaded as it is.
                           {in_flight, std::chrono::milliseconds(0), /*grow_to_volume=*/false});
    return publisher.Publish(source_);
  }

  FakeAws aws_;
  FakeTransport transport_;
  aws::RetryPolicy policy_;
  aws::ClientContext context_;
  std::ostringstream log_text_;
  EventLog log_;
  std::filesystem::path dir_;
  AmiSource source_;
};

TEST_F(AmiPublisherTest, ScanDiskSkipsZeroBlocksAndCountsAPartialLastBlock) {
  WriteDisk(5, {1, 4}, 512);
  Result<DiskBlocks> blocks = ScanDisk(source_.disk);
  ASSERT_TRUE(blocks.ok()) << blocks.status().message();
  EXPECT_EQ(blocks->disk_size, static_cast<int64_t>(5 * kBlock + 512));
  EXPECT_EQ(blocks->count, 6);
  EXPECT_EQ(blocks->data, (std::vector<int64_t>{1, 4, 5}));
}

TEST_F(AmiPublisherTest, ADiskThatCannotBeReadIsAnErrorNamingIt) {
  Result<DiskBlocks> blocks = ScanDisk(source_.disk);  // never written
  ASSERT_FALSE(blocks.ok());
  EXPECT_EQ(blocks.status().message(),
            "open(\"" + source_.disk.string() + "\") failed: ENOENT (No such file or directory)");
}

TEST_F(AmiPublisherTest, AnAvailableImageOfTheDigestIsReusedWithoutReadingTheDisk) {
  aws_.On("ec2 DescribeImages", [](const aws::HttpRequest&) {
    return Reply(200, Ec2("DescribeImages",
                          "<imagesSet><item><imageId>ami-9</imageId><imageState>available"
                          "</imageState></item></imagesSet>"));
  });
  Result<PublishedAmi> published = Publish();  // there is no disk.raw at all
  ASSERT_TRUE(published.ok()) << published.status().message();
  EXPECT_EQ(published->image_id, "ami-9");
  EXPECT_TRUE(published->reused);
  EXPECT_EQ(aws_.Sent(), std::vector<std::string>{"ec2 DescribeImages"});
}

TEST_F(AmiPublisherTest, APendingImageOfTheDigestIsAnErrorNotASecondUpload) {
  aws_.On("ec2 DescribeImages", [](const aws::HttpRequest&) {
    return Reply(200, Ec2("DescribeImages",
                          "<imagesSet><item><imageId>ami-9</imageId><imageState>pending"
                          "</imageState></item></imagesSet>"));
  });
  Result<PublishedAmi> published = Publish();
  ASSERT_FALSE(published.ok());
  EXPECT_EQ(published.status().message(),
            "ami-9 of sha256:abcdef is still pending: push again once it is available");
}

TEST_F(AmiPublisherTest, ASnapshotInErrorEndsThePublishWithItsMessage) {
  WriteDisk(2, {0});
  aws_.On("ec2 DescribeSnapshots", [](const aws::HttpRequest&) {
    return Reply(200, Ec2("DescribeSnapshots",
                          "<snapshotSet><item><snapshotId>snap-1</snapshotId><status>error"
                          "</status><statusMessage>internal error</statusMessage></item>"
                          "</snapshotSet>"));
  });
  Result<PublishedAmi> published = Publish();
  ASSERT_FALSE(published.ok());
  EXPECT_EQ(published.status().message(), "snapshot snap-1 failed: internal error");
  EXPECT_EQ(CountSent("ec2 RegisterImage"), 0);
  EXPECT_EQ(CountSent("ec2 DeleteSnapshot"), 1);  // of no use: deleted
  EXPECT_NE(log_text_.str().find("web: deleted snapshot snap-1"), std::string::npos)
      << log_text_.str();
}

TEST_F(AmiPublisherTest, ASnapshotThatCannotBeDeletedIsNamedAsLeftBehind) {
  WriteDisk(2, {0});
  aws_.On("ebs CompleteSnapshot", [](const aws::HttpRequest&) {
    return aws::HttpExchange{
        aws::HttpResponse{400,
                          {{"x-amzn-ErrorType", "ValidationException"}},
                          R"({"message":"bad checksum","Reason":"INVALID_CHECKSUM"})"},
        false, ""};
  });
  aws_.On("ec2 DeleteSnapshot", [](const aws::HttpRequest&) {
    return Reply(403,
                 "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no"
                 "</Message></Error></Errors><RequestID>r</RequestID></Response>");
  });
  Result<PublishedAmi> published = Publish();
  ASSERT_FALSE(published.ok());
  EXPECT_EQ(published.status().message().rfind(
                "snap-1: ebs CompleteSnapshot: ValidationException: bad checksum "
                "(INVALID_CHECKSUM) (HTTP 400); snapshot snap-1 was left behind, delete it by "
                "hand (ec2 DeleteSnapshot: UnauthorizedOperation: no",
                0),
            0u)
      << published.status().message();
}

TEST_F(AmiPublisherTest, AFailedBlockStopsTheUploadNamesTheBlockAndCompletesNothing) {
  WriteDisk(40, {0, 1, 2, 3, 20, 30, 39});
  aws_.On("ebs PutSnapshotBlock", [](const aws::HttpRequest& request) {
    if (request.path != "/snapshots/snap-1/blocks/20") return Reply(201, "");
    return aws::HttpExchange{
        aws::HttpResponse{400,
                          {{"x-amzn-ErrorType", "ValidationException"}},
                          R"({"message":"bad block","Reason":"INVALID_BLOCK"})"},
        false, ""};
  });
  Result<PublishedAmi> published = Publish(4);
  ASSERT_FALSE(published.ok());
  EXPECT_EQ(published.status().message(),
            "snap-1: block 20: ebs PutSnapshotBlock: ValidationException: bad block "
            "(INVALID_BLOCK) (HTTP 400)");
  EXPECT_EQ(CountSent("ebs CompleteSnapshot"), 0);
  EXPECT_EQ(CountSent("ec2 DeleteSnapshot"), 1);
}

TEST_F(AmiPublisherTest, BlocksGoUpSeveralAtOnceAndTheImageIsRegisteredAndTagged) {
  WriteDisk(16, {0, 2, 4, 6, 8, 10, 12, 14});
  // Each block waits (2 s at most) until four are under way: a pool that sent them one by
  // one would take seconds and never see four.
  std::mutex mutex;
  std::condition_variable four;
  int in_flight = 0, most_in_flight = 0;
  aws_.On("ebs PutSnapshotBlock", [&](const aws::HttpRequest&) {
    std::unique_lock lock(mutex);
    most_in_flight = std::max(most_in_flight, ++in_flight);
    four.notify_all();
    four.wait_for(lock, std::chrono::seconds(2), [&] { return most_in_flight >= 4; });
    --in_flight;
    return Reply(201, "");
  });
  std::atomic<int> describes = 0;
  aws_.On("ec2 DescribeSnapshots", [&describes](const aws::HttpRequest&) {
    const char* state = ++describes < 3 ? "pending" : "completed";
    return Reply(200, Ec2("DescribeSnapshots", std::string("<snapshotSet><item><status>") + state +
                                                   "</status></item></snapshotSet>"));
  });
  std::string registration;
  aws_.On("ec2 RegisterImage", [&registration](const aws::HttpRequest& request) {
    registration = request.body;
    return Reply(200, Ec2("RegisterImage", "<imageId>ami-7</imageId>"));
  });
  Result<PublishedAmi> published = Publish(4);
  ASSERT_TRUE(published.ok()) << published.status().message();
  EXPECT_EQ(published->image_id, "ami-7");
  EXPECT_EQ(published->blocks_sent, 8);
  EXPECT_EQ(published->bytes_sent, 8 * kBlock);
  EXPECT_EQ(describes, 3);
  EXPECT_EQ(most_in_flight, 4);
  std::vector<std::string> sent = aws_.Sent();
  EXPECT_EQ(std::count(sent.begin(), sent.end(), "ebs PutSnapshotBlock"), 8);
  // Tagged as it is registered: nothing names an image EC2 may not know yet.
  EXPECT_EQ(sent.back(), "ec2 RegisterImage");
  EXPECT_NE(registration.find("TagSpecification.1.ResourceType=image&TagSpecification.1.Tag.1."
                              "Key=Name&TagSpecification.1.Tag.1.Value=i2kit-web-"),
            std::string::npos)
      << registration;
  EXPECT_NE(registration.find("Value=sha256%3A"), std::string::npos) << registration;
  EXPECT_NE(log_text_.str().find("web: uploading disk.raw to snap-1: 8 of 16 blocks hold data "
                                 "(4.0 MiB), 4 in flight"),
            std::string::npos)
      << log_text_.str();
}

}  // namespace
}  // namespace i2kit
