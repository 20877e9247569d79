// The service directory the host hands the agents: its JSON, and how a DNS name finds an entry.
#include "common/service_directory.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

ServiceDirectory Sample() {
  ServiceDirectory d;
  d.entries = {{"api", {{9090, {40001}}}}, {"web", {{8080, {18080}}, {8443, {40002, 40003}}}}};
  return d;
}

TEST(ServiceDirectoryTest, SurvivesTheRoundTrip) {
  Result<ServiceDirectory> back = DirectoryFromJson(DirectoryToJson(Sample()));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, Sample());
}

TEST(ServiceDirectoryTest, SortsAPortsBackends) {
  Result<ServiceDirectory> d = DirectoryFromJson(
      R"({"domain":"x","entries":[{"name":"web","ports":[{"port":80,"hostPorts":[40002,40001]}]}]})");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->entries[0].ports[0].host_ports, (std::vector<int>{40001, 40002}));
}

TEST(ServiceDirectoryTest, FindsANameAloneOrInTheDomainInAnyCase) {
  ServiceDirectory d = Sample();
  ASSERT_NE(d.Find("web"), nullptr);
  EXPECT_EQ(d.Find("web")->ports[0].host_ports, std::vector<int>{18080});
  EXPECT_EQ(d.Find("WEB.i2kit.local."), d.Find("web"));
  EXPECT_EQ(d.Find("api.i2kit.local"), d.Find("api"));
  EXPECT_EQ(d.Find("web.example.com"), nullptr);
  EXPECT_EQ(d.Find("i2kit.local"), nullptr);
  EXPECT_EQ(d.Find(""), nullptr);
}

TEST(ServiceDirectoryTest, RefusesWhatTheAgentCouldNotServe) {
  EXPECT_FALSE(DirectoryFromJson("[]").ok());
  EXPECT_FALSE(DirectoryFromJson(R"({"domain":"i2kit.local"})").ok());
  EXPECT_NE(DirectoryFromJson(R"({"domain":"bad..domain","entries":[]})")
                .status()
                .message()
                .find("domain"),
            std::string::npos);
  EXPECT_NE(DirectoryFromJson(R"({"domain":"x","entries":[{"name":"Web!","ports":[]}]})")
                .status()
                .message()
                .find("name 'Web!'"),
            std::string::npos);
  EXPECT_NE(DirectoryFromJson(
                R"({"domain":"x","entries":[{"name":"web","ports":[{"port":0,"hostPorts":[1]}]}]})")
                .status()
                .message()
                .find("out of range"),
            std::string::npos);
  EXPECT_NE(DirectoryFromJson(
                R"({"domain":"x","entries":[{"name":"web","ports":[{"port":80,"hostPorts":[]}]}]})")
                .status()
                .message()
                .find("1 to 8 host ports"),
            std::string::npos);
  EXPECT_NE(DirectoryFromJson(
                R"({"domain":"x","entries":[{"name":"a","ports":[]},{"name":"a","ports":[]}]})")
                .status()
                .message()
                .find("twice"),
            std::string::npos);
}

TEST(ServiceDirectoryTest, DomainsAreDotSeparatedLabels) {
  EXPECT_EQ(CheckServiceDomain("i2kit.local"), "");
  EXPECT_EQ(CheckServiceDomain("svc.cluster.local"), "");
  EXPECT_NE(CheckServiceDomain(""), "");
  EXPECT_NE(CheckServiceDomain("a..b"), "");
  EXPECT_NE(CheckServiceDomain("a.b."), "");
  EXPECT_NE(CheckServiceDomain("UPPER.case"), "");
}

}  // namespace
}  // namespace i2kit
