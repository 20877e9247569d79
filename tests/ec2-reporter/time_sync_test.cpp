// SNTP against the Amazon Time Sync Service's protocol (RFC 4330): the request, the offset from
// a reply, the replies refused, and one query to a server on loopback.
#include "ec2-reporter/time_sync.h"

#include <gtest/gtest.h>

#include "ec2-reporter/fake_sntp_server.h"

namespace i2kit::reporter {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const SystemTime kSent = SystemTime(seconds(1796619600));

SntpPacket Reply(const SntpPacket& request, SystemTime server_time) {
  return testing::SntpReply(request, server_time);
}

TEST(TimeSyncTest, ARequestIsVersion4ModeClientWithItsTransmitTime) {
  SntpPacket request = SntpRequest(kSent);
  EXPECT_EQ(request[0], 0x23);
  // 1796619600 + 2208988800 seconds since 1900, big-endian.
  uint32_t seconds_1900 = (uint32_t{request[40]} << 24) | (uint32_t{request[41]} << 16) |
                          (uint32_t{request[42]} << 8) | request[43];
  EXPECT_EQ(seconds_1900, 1796619600u + 2208988800u);
}

TEST(TimeSyncTest, TheOffsetIsHalfTheRoundTripCorrected) {
  SntpPacket request = SntpRequest(kSent);
  // The server is 600 s ahead; the answer took 100 ms there and back.
  Result<milliseconds> offset = SntpOffset(Reply(request, kSent + seconds(600) + milliseconds(50)),
                                           kSent, kSent + milliseconds(100));
  ASSERT_TRUE(offset.ok()) << offset.status().message();
  EXPECT_EQ(*offset, milliseconds(600'000));
}

TEST(TimeSyncTest, RepliesOfAnotherRequestOrAnUnsynchronizedServerAreRefused) {
  SntpPacket request = SntpRequest(kSent);
  SntpPacket other = Reply(SntpRequest(kSent + seconds(1)), kSent);
  EXPECT_FALSE(SntpOffset(other, kSent, kSent).ok());
  SntpPacket kiss = Reply(request, kSent);
  kiss[1] = 0;  // kiss-o'-death
  EXPECT_FALSE(SntpOffset(kiss, kSent, kSent).ok());
  SntpPacket client = Reply(request, kSent);
  client[0] = 0x23;
  EXPECT_FALSE(SntpOffset(client, kSent, kSent).ok());
}

TEST(TimeSyncTest, QueriesAServerOnLoopbackAndTimesOutWhenNoneAnswers) {
  Result<milliseconds> offset = Status::Error("not asked");
  uint16_t port = 0;
  {
    testing::FakeSntpServer server(seconds(-300));
    ASSERT_NE(server.port(), 0);
    port = server.port();
    offset = QueryTimeServer("127.0.0.1", port, milliseconds(5000));
  }
  ASSERT_TRUE(offset.ok()) << offset.status().message();
  EXPECT_NEAR(static_cast<double>(offset->count()), -300'000.0, 2000.0);

  // Nobody there any more: the port is closed, or nothing answers.
  EXPECT_FALSE(QueryTimeServer("127.0.0.1", port, milliseconds(100)).ok());
  EXPECT_EQ(QueryTimeServer("time.aws.com", 123, milliseconds(100)).status().message(),
            "time server 'time.aws.com' is not an IPv4 address");
}

}  // namespace
}  // namespace i2kit::reporter
