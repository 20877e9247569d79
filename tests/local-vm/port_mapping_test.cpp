// `-p HOSTPORT:CONTAINERPORT[/tcp|/udp]`: the forms accepted and the ones refused.
#include "local-vm/port_mapping.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

TEST(PortMappingTest, ParsesHostAndContainerPort) {
  Result<PublishedPort> p = ParsePublishedPort("8080:80");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(*p, (PublishedPort{8080, 80, Protocol::kTcp}));
}

TEST(PortMappingTest, ParsesProtocolSuffix) {
  EXPECT_EQ(ParsePublishedPort("5353:53/udp").value(), (PublishedPort{5353, 53, Protocol::kUdp}));
  EXPECT_EQ(ParsePublishedPort("1:65535/tcp").value(), (PublishedPort{1, 65535, Protocol::kTcp}));
}

TEST(PortMappingTest, RejectsMalformedMappings) {
  for (const char* bad :
       {"", "80", ":80", "80:", "a:80", "80:b", "0:80", "80:0", "65536:80", "80:65536",
        "8080:80/sctp", "8080:80/", "+80:80", "-1:80", " 80:80", "080080:80", "8080:80:90"}) {
    Result<PublishedPort> p = ParsePublishedPort(bad);
    EXPECT_FALSE(p.ok()) << "'" << bad << "' was accepted";
    if (!p.ok()) {
      EXPECT_NE(p.status().message().find(bad), std::string::npos);
    }
  }
}

TEST(PortMappingTest, RefusesAHostAddressBecausePortsAreLoopbackOnly) {
  Result<PublishedPort> p = ParsePublishedPort("0.0.0.0:8080:80");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("127.0.0.1 only"), std::string::npos);
}

TEST(PortMappingTest, RejectsTheSameHostPortTwicePerProtocol) {
  EXPECT_FALSE(CheckDistinctHostPorts({{8080, 80}, {8080, 81}}).ok());
  EXPECT_TRUE(CheckDistinctHostPorts({{8080, 80}, {8080, 80, Protocol::kUdp}}).ok());
  EXPECT_TRUE(CheckDistinctHostPorts({{8080, 80}, {8081, 80}}).ok());
}

TEST(PortMappingTest, FormatsAsPsShowsIt) {
  EXPECT_EQ(FormatPublishedPort({18080, 8080, Protocol::kTcp}), "127.0.0.1:18080->8080/tcp");
  EXPECT_EQ(FormatPublishedPort({5353, 53, Protocol::kUdp}), "127.0.0.1:5353->53/udp");
}

}  // namespace
}  // namespace i2kit
