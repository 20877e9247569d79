// Clock skew correction: AWS's time read from a refusal's Date, and SendSigned signing again
// with it.
#include "aws-client/clock_skew.h"

#include <gtest/gtest.h>

#include "scripted_transport.h"

namespace i2kit::aws {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

sys_seconds At(int64_t epoch) {
  return sys_seconds(seconds(epoch));
}

TEST(ClockSkewTest, ParsesAnImfFixdateAndRefusesOtherForms) {
  EXPECT_EQ(ParseHttpDate("Mon, 07 Dec 2026 05:00:00 GMT"), At(1796619600));
  EXPECT_FALSE(ParseHttpDate("2026-12-07T05:00:00Z"));
  EXPECT_FALSE(ParseHttpDate("Mon, 07 Dec 2026 05:00:00 GMT trailing"));
}

TEST(ClockSkewTest, ACorrectionNeedsASkewCodeAndADateMoreThanFourMinutesOff) {
  HttpResponse refused{403, {{"Date", "Mon, 07 Dec 2026 05:00:00 GMT"}}, ""};
  EXPECT_EQ(ClockCorrection(refused, "SignatureDoesNotMatch", At(1796619600 - 600)), seconds(600));
  EXPECT_EQ(ClockCorrection(refused, "RequestExpired", At(1796619600 + 400)), seconds(-400));
  // A wrong secret on a right clock, or another error, is no skew.
  EXPECT_FALSE(ClockCorrection(refused, "SignatureDoesNotMatch", At(1796619600 - 60)));
  EXPECT_FALSE(ClockCorrection(refused, "AccessDenied", At(1796619600 - 600)));
  EXPECT_FALSE(ClockCorrection({403, {}, ""}, "RequestExpired", At(1796619600 - 600)));
}

class SendSignedClockTest : public ScriptedContextTest {};

TEST_F(SendSignedClockTest, SignsAgainAtOnceWithAwsTimeAndKeepsTheCorrection) {
  // This clock reads 00:00:00; AWS's, ten minutes later.
  transport_.answers = {Answer(403, "", {{"Date", "Mon, 23 Nov 2026 00:10:00 GMT"}}),
                        Answer(200, ""), Answer(200, "")};
  auto read = [](const HttpResponse& response, AwsError& error) {
    if (response.status == 200) return Status::Ok();
    error.code = "SignatureDoesNotMatch";
    return Status::Error("refused");
  };
  ServiceEndpoint endpoint{true, "example.com", 443, "/"};
  HttpRequest request;
  request.headers = {{"Host", "example.com"}};
  ASSERT_TRUE(SendSigned(context_, endpoint, "cloudformation", "x", request, read).ok());
  ASSERT_TRUE(SendSigned(context_, endpoint, "cloudformation", "x", request, read).ok());
  ASSERT_EQ(transport_.sent.size(), 3u);
  EXPECT_EQ(Header(transport_.sent[0], "X-Amz-Date"), "20261123T000000Z");
  EXPECT_EQ(Header(transport_.sent[1], "X-Amz-Date"), "20261123T001000Z");
  EXPECT_EQ(Header(transport_.sent[2], "X-Amz-Date"), "20261123T001000Z");  // the next call too
  EXPECT_TRUE(slept_.empty());
  EXPECT_EQ(context_.clock_skew->offset(), seconds(600));
  ASSERT_EQ(notices_.size(), 1u);
  EXPECT_EQ(notices_[0],
            "x: SignatureDoesNotMatch: this clock is 600 s behind AWS's; signing "
            "again with AWS's time");
}

TEST_F(SendSignedClockTest, TheCorrectionIsAwsTimeLessThisClockWhateverWasInUse) {
  // Another thread's correction, wrong by twenty minutes, was in use: the new one replaces it.
  context_.clock_skew->Set(seconds(-600));
  transport_.answers = {Answer(403, "", {{"Date", "Mon, 23 Nov 2026 00:10:00 GMT"}}),
                        Answer(200, "")};
  auto read = [](const HttpResponse& response, AwsError& error) {
    if (response.status == 200) return Status::Ok();
    error.code = "RequestExpired";
    return Status::Error("refused");
  };
  HttpRequest request;
  request.headers = {{"Host", "example.com"}};
  ASSERT_TRUE(
      SendSigned(context_, {true, "example.com", 443, "/"}, "ec2", "x", request, read).ok());
  EXPECT_EQ(context_.clock_skew->offset(), seconds(600));
}

TEST_F(SendSignedClockTest, ASecondSkewRefusalInOneCallIsTheError) {
  for (int i = 0; i < 2; ++i) {
    transport_.answers.push_back(Answer(403, "", {{"Date", "Mon, 23 Nov 2026 00:10:00 GMT"}}));
  }
  auto read = [](const HttpResponse&, AwsError& error) {
    error.code = "SignatureDoesNotMatch";
    return Status::Error("refused");
  };
  HttpRequest request;
  request.headers = {{"Host", "example.com"}};
  EXPECT_FALSE(
      SendSigned(context_, {true, "example.com", 443, "/"}, "cloudformation", "x", request, read)
          .ok());
  EXPECT_EQ(transport_.sent.size(), 2u);
}

TEST(ConsistencyWaitTest, AttemptsLastThePatienceAtLeastOneASecond) {
  EXPECT_EQ((ConsistencyWait{std::chrono::seconds(2), std::chrono::minutes(2)}).Attempts(), 60);
  EXPECT_EQ((ConsistencyWait{std::chrono::milliseconds(0), std::chrono::minutes(2)}).Attempts(),
            120);
}

}  // namespace
}  // namespace i2kit::aws
