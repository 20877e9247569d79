#include "aws-client/ebs_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scripted_transport.h"

namespace i2kit::aws {
namespace {

const char kStarted[] =
    R"({"SnapshotId":"snap-0123","Status":"pending","BlockSize":524288,"VolumeSize":1})";

using EbsClientTest = ScriptedContextTest;

TEST(EbsChecksumTest, LinearChecksumHashesTheBlockDigestsInIndexOrder) {
  // python3: base64(sha256(sha256(b'one') + sha256(b'two')))
  EXPECT_EQ(LinearChecksum({Sha256Of("one"), Sha256Of("two")}),
            "EZFMGaKKmMV9EvPM5sMreUR4T0tHgacGwk6x3ChOKFY=");
  EXPECT_NE(LinearChecksum({Sha256Of("two"), Sha256Of("one")}),
            "EZFMGaKKmMV9EvPM5sMreUR4T0tHgacGwk6x3ChOKFY=");
}

TEST_F(EbsClientTest, StartSnapshotPostsJsonSignedForEbs) {
  transport_.answers.push_back(Answer(201, kStarted));
  EbsClient client(context_);
  Result<StartedSnapshot> started =
      client.StartSnapshot({2, "i2kit web", {{"i2kit:image-digest", "sha256:ab"}}, "token-1"});
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_EQ(started->snapshot_id, "snap-0123");
  EXPECT_EQ(started->status, "pending");
  ASSERT_EQ(transport_.sent.size(), 1u);
  const HttpRequest& request = transport_.sent[0];
  EXPECT_EQ(transport_.urls[0], "https://ebs.eu-west-1.amazonaws.com/");
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/snapshots");
  EXPECT_EQ(Header(request, "Content-Type"), "application/json");
  EXPECT_NE(Header(request, "Authorization").find("/eu-west-1/ebs/aws4_request"),
            std::string::npos);
  nlohmann::json body = nlohmann::json::parse(request.body);
  EXPECT_EQ(body["VolumeSize"], 2);
  EXPECT_EQ(body["Description"], "i2kit web");
  EXPECT_EQ(body["ClientToken"], "token-1");
  EXPECT_EQ(body["Tags"][0]["Key"], "i2kit:image-digest");
  EXPECT_EQ(body["Tags"][0]["Value"], "sha256:ab");
}

TEST_F(EbsClientTest, StartSnapshotRefusesABlockSizeItCannotWrite) {
  transport_.answers.push_back(Answer(201, R"({"SnapshotId":"snap-1","BlockSize":4096})"));
  Result<StartedSnapshot> started = EbsClient(context_).StartSnapshot({1, "", {}, ""});
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.status().message().find("block size 4096"), std::string::npos);
}

TEST_F(EbsClientTest, AnAnswerOfAnotherShapeIsAnErrorNotACrash) {
  const std::pair<const char*, const char*> answers[] = {
      {R"(["snap-1"])", "is of type array, not an object"},
      {R"("snap-1")", "is of type string, not an object"},
      {R"({"SnapshotId":7,"BlockSize":524288})",
       "has SnapshotId of type number, expected a string"},
      {R"({"SnapshotId":"snap-1","BlockSize":"524288"})",
       "has BlockSize of type string, expected a whole number"},
      {R"({"SnapshotId":"snap-1","BlockSize":5.5})", "has BlockSize of type number"},
      {R"({"SnapshotId":"snap-1","BlockSize":18446744073709551615})", "BlockSize is out of range"},
      {R"({"BlockSize":524288})", "has no SnapshotId"},
  };
  for (const auto& [answer, problem] : answers) {
    transport_.answers.push_back(Answer(201, answer));
    Result<StartedSnapshot> started = EbsClient(context_).StartSnapshot({1, "", {}, ""});
    ASSERT_FALSE(started.ok()) << answer;
    EXPECT_EQ(started.status().message().rfind("ebs StartSnapshot: the answer", 0), 0u)
        << started.status().message();
    EXPECT_NE(started.status().message().find(problem), std::string::npos)
        << answer << ": " << started.status().message();
  }
  transport_.answers.push_back(Answer(202, R"({"Status":["pending"]})"));
  Result<std::string> status = EbsClient(context_).CompleteSnapshot("snap-1", 0, "");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.status().message(),
            "ebs CompleteSnapshot: the answer has Status of type array, expected a string");
}

TEST_F(EbsClientTest, PutSnapshotBlockSendsTheRawBlockWithItsChecksumHeaders) {
  transport_.answers.push_back(Answer(201, ""));
  std::string block(kSnapshotBlockSize, 'x');
  Status put = EbsClient(context_).PutSnapshotBlock("snap-0123", 7, block, Sha256Of(block));
  ASSERT_TRUE(put.ok()) << put.message();
  const HttpRequest& request = transport_.sent.at(0);
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.path, "/snapshots/snap-0123/blocks/7");
  EXPECT_EQ(request.body, block);
  EXPECT_EQ(Header(request, "x-amz-Data-Length"), "524288");
  EXPECT_EQ(Header(request, "x-amz-Checksum"), "7IuzOIEbv4AKi15QfQbgih2dBb3nQpT29ziPO7+6guU=");
  EXPECT_EQ(Header(request, "x-amz-Checksum-Algorithm"), "SHA256");
}

TEST_F(EbsClientTest, PutSnapshotBlockSignsItsBodyAsAnUnsignedPayload) {
  // botocore's model: authtype v4-unsigned-body. The block is not hashed into the signature.
  transport_.answers.push_back(Answer(201, ""));
  std::string block(kSnapshotBlockSize, 'x');
  ASSERT_TRUE(EbsClient(context_).PutSnapshotBlock("snap-1", 0, block, Sha256Of(block)).ok());
  const HttpRequest& request = transport_.sent.at(0);
  EXPECT_EQ(Header(request, "X-Amz-Content-SHA256"), "UNSIGNED-PAYLOAD");
  EXPECT_NE(Header(request, "Authorization").find("x-amz-content-sha256"), std::string::npos);
  // StartSnapshot (authtype v4) signs its body's hash and sends no such header.
  transport_.answers.push_back(Answer(200, R"({"SnapshotId":"snap-1","BlockSize":524288})"));
  ASSERT_TRUE(EbsClient(context_).StartSnapshot({}).ok());
  EXPECT_EQ(Header(transport_.sent.at(1), "X-Amz-Content-SHA256"), "");
}

TEST_F(EbsClientTest, ABlockOfASnapshotEbsDoesNotKnowYetIsTriedAgain) {
  for (int i = 0; i < 2; ++i) {
    transport_.answers.push_back(Answer(404, R"({"message":"The snapshot does not exist"})",
                                        {{"x-amzn-ErrorType", "ResourceNotFoundException"}}));
  }
  transport_.answers.push_back(Answer(201, ""));
  Status put = EbsClient(context_).PutSnapshotBlock("snap-1", 0, "data", Sha256Of("data"));
  ASSERT_TRUE(put.ok()) << put.message();
  EXPECT_EQ(transport_.sent.size(), 3u);
}

TEST_F(EbsClientTest, PathsHangBelowTheEndpointOverridesPath) {
  context_.endpoint_override = ServiceEndpoint{false, "127.0.0.1", 4566, "/aws/"};
  transport_.answers.push_back(Answer(202, R"({"Status":"pending"})"));
  Result<std::string> status = EbsClient(context_).CompleteSnapshot("snap-1", 3, "c2Vh");
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_EQ(*status, "pending");
  const HttpRequest& request = transport_.sent.at(0);
  EXPECT_EQ(request.path, "/aws/snapshots/completion/snap-1");
  EXPECT_EQ(Header(request, "x-amz-ChangedBlocksCount"), "3");
  EXPECT_EQ(Header(request, "x-amz-Checksum"), "c2Vh");
  EXPECT_EQ(Header(request, "x-amz-Checksum-Algorithm"), "SHA256");
  EXPECT_EQ(Header(request, "x-amz-Checksum-Aggregation-Method"), "LINEAR");
}

TEST_F(EbsClientTest, AThrottledBlockIsRetriedAndSignedAgain) {
  transport_.answers.push_back(
      Answer(400, R"({"message":"Rate exceeded"})",
             {{"x-amzn-ErrorType", "RequestThrottledException:http://internal.amazon.com/"}}));
  transport_.answers.push_back(Answer(201, ""));
  Status put = EbsClient(context_).PutSnapshotBlock("snap-1", 0, "data", Sha256Of("data"));
  ASSERT_TRUE(put.ok()) << put.message();
  ASSERT_EQ(transport_.sent.size(), 2u);
  EXPECT_EQ(Header(transport_.sent[1], "X-Amz-Date"), "20261123T000001Z");
  ASSERT_EQ(notices_.size(), 1u);
  EXPECT_EQ(notices_[0], "ebs PutSnapshotBlock: RequestThrottledException; retrying in 500 ms");
}

TEST_F(EbsClientTest, AnErrorNamesTheBlockTheCodeTheReasonAndTheRequest) {
  transport_.answers.push_back(
      Answer(400, R"({"message":"Checksum mismatch","Reason":"INVALID_BLOCK"})",
             {{"x-amzn-ErrorType", "ValidationException"}, {"x-amzn-RequestId", "req-9"}}));
  Status put = EbsClient(context_).PutSnapshotBlock("snap-1", 4, "data", Sha256Of("other"));
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.message(),
            "block 4: ebs PutSnapshotBlock: ValidationException: Checksum mismatch "
            "(INVALID_BLOCK) (HTTP 400, request req-9)");
}

TEST_F(EbsClientTest, AnErrorTypeInTheBodyIsReadWhenTheHeaderIsAbsent) {
  transport_.answers.push_back(
      Answer(403, R"({"__type":"com.amazon.coral.service#AccessDeniedException","Message":"no"})"));
  Result<std::string> status = EbsClient(context_).CompleteSnapshot("snap-1", 0, "");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.status().message(),
            "ebs CompleteSnapshot: AccessDeniedException: no (HTTP 403)");
}

}  // namespace
}  // namespace i2kit::aws
