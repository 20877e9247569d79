// The agent's DNS answers: the question read from a query, an A record for a name it owns,
// NODATA for other types, and hostile packets refused.
#include "guest-agent/dns_message.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

// A query as resolvers send it: id 0x1234, RD set, one question.
std::string Query(const std::string& name, uint16_t type) {
  std::string q = {'\x12', '\x34', '\x01', '\x00', 0, 1, 0, 0, 0, 0, 0, 0};
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string label =
        name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    q += static_cast<char>(label.size());
    q += label;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  q += '\0';
  q += static_cast<char>(type >> 8);
  q += static_cast<char>(type & 0xff);
  q += std::string{0, 1};
  return q;
}

TEST(DnsMessageTest, ReadsTheQuestionInLowerCase) {
  Result<DnsQuestion> q = ParseDnsQuery(Query("Web.I2kit.Local", 1));
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->id, 0x1234);
  EXPECT_EQ(q->name, "web.i2kit.local");
  EXPECT_EQ(q->type, kDnsTypeA);
  EXPECT_EQ(q->klass, kDnsClassIn);
}

TEST(DnsMessageTest, AnswersAWithOneRecordPointingAtTheQuestion) {
  std::string query = Query("web", 1);
  DnsQuestion q = ParseDnsQuery(query).value();
  std::string answer = BuildDnsAnswer(query, q, 0x7f4d0102, 5);
  ASSERT_EQ(answer.size(), query.size() + 16);
  EXPECT_EQ(answer.substr(0, 2), query.substr(0, 2));                 // same id
  EXPECT_EQ(static_cast<uint8_t>(answer[2]), 0x85);                   // QR AA RD
  EXPECT_EQ(static_cast<uint8_t>(answer[3]), 0x80);                   // RA, NOERROR
  EXPECT_EQ(answer[7], 1);                                            // one answer
  EXPECT_EQ(answer.substr(12, query.size() - 12), query.substr(12));  // the question
  std::string rdata = answer.substr(answer.size() - 4);
  EXPECT_EQ(rdata, std::string("\x7f\x4d\x01\x02", 4));  // 127.77.1.2
}

TEST(DnsMessageTest, OtherTypesOfAnOwnedNameGetNoData) {
  std::string query = Query("web", 28);  // AAAA
  std::string answer = BuildDnsAnswer(query, ParseDnsQuery(query).value(), 0x7f4d0102, 5);
  EXPECT_EQ(answer.size(), query.size());
  EXPECT_EQ(answer[7], 0);
  EXPECT_EQ(static_cast<uint8_t>(answer[3]) & 0x0f, 0);  // NOERROR, not NXDOMAIN
}

TEST(DnsMessageTest, HostilePacketsAreRefused) {
  EXPECT_FALSE(ParseDnsQuery("").ok());
  EXPECT_FALSE(ParseDnsQuery(std::string(11, '\0')).ok());
  std::string response = Query("web", 1);
  response[2] = static_cast<char>(0x81);
  EXPECT_FALSE(ParseDnsQuery(response).ok());
  std::string two = Query("web", 1);
  two[5] = 2;
  EXPECT_FALSE(ParseDnsQuery(two).ok());
  std::string long_label = Query("web", 1);
  long_label[12] = 64;
  EXPECT_FALSE(ParseDnsQuery(long_label).ok());
  std::string pointer = Query("web", 1);
  pointer[12] = static_cast<char>(0xc0);
  EXPECT_FALSE(ParseDnsQuery(pointer).ok());
  std::string truncated = Query("web", 1);
  truncated.resize(truncated.size() - 3);
  EXPECT_FALSE(ParseDnsQuery(truncated).ok());
  // Every prefix of a valid query is refused or read without running past it.
  std::string valid = Query("a.b.c", 1);
  for (size_t n = 0; n < valid.size(); ++n) EXPECT_FALSE(ParseDnsQuery(valid.substr(0, n)).ok());
}

}  // namespace
}  // namespace i2kit
