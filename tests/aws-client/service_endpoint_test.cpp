#include "aws-client/service_endpoint.h"

#include <gtest/gtest.h>

namespace i2kit::aws {
namespace {

TEST(ServiceEndpointTest, RegionalEndpointIsPrefixRegionAndAwsDomain) {
  ServiceEndpoint endpoint = RegionalEndpoint("cloudformation", "eu-west-1");
  EXPECT_EQ(endpoint.Url(), "https://cloudformation.eu-west-1.amazonaws.com/");
  EXPECT_EQ(endpoint.HostHeader(), "cloudformation.eu-west-1.amazonaws.com");
  EXPECT_EQ(RegionalEndpoint("autoscaling", "cn-north-1").host,
            "autoscaling.cn-north-1.amazonaws.com.cn");
}

TEST(ServiceEndpointTest, ParsesHttpUrlWithPortAndKeepsThePortInTheHostHeader) {
  Result<ServiceEndpoint> endpoint = ParseEndpointUrl("http://127.0.0.1:4566");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().message();
  EXPECT_FALSE(endpoint->https);
  EXPECT_EQ(endpoint->host, "127.0.0.1");
  EXPECT_EQ(endpoint->port, 4566);
  EXPECT_EQ(endpoint->path, "/");
  EXPECT_EQ(endpoint->HostHeader(), "127.0.0.1:4566");
}

TEST(ServiceEndpointTest, DefaultPortIsLeftOutOfTheHostHeader) {
  Result<ServiceEndpoint> endpoint = ParseEndpointUrl("https://vpce-1.example.com:443/base/");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().message();
  EXPECT_EQ(endpoint->HostHeader(), "vpce-1.example.com");
  EXPECT_EQ(endpoint->path, "/base/");
}

TEST(ServiceEndpointTest, BracketedIpv6HostKeepsItsColons) {
  Result<ServiceEndpoint> endpoint = ParseEndpointUrl("http://[::1]:8080");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().message();
  EXPECT_EQ(endpoint->host, "[::1]");
  EXPECT_EQ(endpoint->port, 8080);
}

TEST(ServiceEndpointTest, RejectsWhatIsNotAnEndpointSayingWhy) {
  struct Case {
    const char* url;
    const char* why;
  } cases[] = {{"localhost:4566", "http:// or https://"},
               {"http://", "expected a host"},
               {"http://host:0", "1 to 65535"},
               {"http://host:99999", "1 to 65535"},
               {"http://host:x1", "1 to 65535"},
               {"http://key:secret@host", "credentials"},
               {"http://host/?a=b", "query"}};
  for (const Case& c : cases) {
    Result<ServiceEndpoint> endpoint = ParseEndpointUrl(c.url);
    ASSERT_FALSE(endpoint.ok()) << c.url;
    EXPECT_NE(endpoint.status().message().find(c.why), std::string::npos)
        << c.url << ": " << endpoint.status().message();
  }
}

}  // namespace
}  // namespace i2kit::aws
