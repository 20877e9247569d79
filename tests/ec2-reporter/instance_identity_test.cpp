#include "ec2-reporter/instance_identity.h"

#include <gtest/gtest.h>

namespace i2kit::reporter {
namespace {

TEST(InstanceIdentity, ReadsWhatTheTemplatePutsInUserData) {
  InstanceIdentity identity;
  Status parsed = ParseUserData(
      R"({"stack":"shop","deployment":"web","resource":"WebGroup","region":"eu-west-1",
          "metricsNamespace":"i2kit/shop","signalTimeoutSeconds":300,
          "targetHealthySeconds":20})",
      identity);
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  EXPECT_EQ(identity.stack, "shop");
  EXPECT_EQ(identity.resource, "WebGroup");
  EXPECT_EQ(identity.deployment, "web");
  EXPECT_EQ(identity.metrics_namespace, "i2kit/shop");
  EXPECT_EQ(identity.signal_timeout, std::chrono::seconds(300));
  EXPECT_EQ(identity.target_healthy, std::chrono::seconds(20));
  EXPECT_FALSE(identity.endpoint);  // the regional endpoints
}

TEST(InstanceIdentity, AnEndpointUrlInUserDataSendsEveryServiceThere) {
  InstanceIdentity identity;
  ASSERT_TRUE(ParseUserData(R"({"stack":"s","deployment":"d","resource":"R",
      "metricsNamespace":"n","endpointUrl":"http://169.254.0.2:4566"})",
                            identity)
                  .ok());
  ASSERT_TRUE(identity.endpoint);
  EXPECT_EQ(identity.endpoint->Url(), "http://169.254.0.2:4566/");
  EXPECT_FALSE(ParseUserData(R"({"stack":"s","deployment":"d","resource":"R",
      "metricsNamespace":"n","endpointUrl":7})",
                             identity)
                   .ok());
}

TEST(InstanceIdentity, AnEndpointUrlThatIsNoUrlIsRefusedNamingTheField) {
  InstanceIdentity identity;
  Status parsed = ParseUserData(R"({"stack":"s","deployment":"d","resource":"R",
      "metricsNamespace":"n","endpointUrl":"169.254.0.2:4566"})",
                                identity);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.message().rfind("user data endpointUrl is not a usable URL (", 0), 0u)
      << parsed.message();
}

TEST(InstanceIdentity, LocalUserDataIsNotEnough) {
  // What `i2kit-host run`'s metadata service hands out: no resource to signal.
  InstanceIdentity identity;
  Status parsed = ParseUserData(
      R"({"stack":"local","deployment":"web","replica":0,"region":"local"})", identity);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.message().find("resource"), std::string::npos) << parsed.message();
}

TEST(InstanceIdentity, RejectsABadTimeoutAndNonJson) {
  InstanceIdentity identity;
  EXPECT_FALSE(ParseUserData("#!/bin/sh\necho hi", identity).ok());
  EXPECT_FALSE(ParseUserData(R"({"stack":"s","deployment":"d","resource":"R",
      "metricsNamespace":"n","signalTimeoutSeconds":-5})",
                             identity)
                   .ok());
}

TEST(InstanceIdentity, VolumesMapEachNameToItsEbsVolumeId) {
  InstanceIdentity identity;
  Status parsed = ParseUserData(R"({"stack":"s","deployment":"db","resource":"R",
      "metricsNamespace":"n","volumes":{"data":"vol-0123456789abcdef0","wal":"vol-1a2b3c4d"}})",
                                identity);
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  EXPECT_EQ(identity.volumes, (std::map<std::string, std::string>{{"data", "vol-0123456789abcdef0"},
                                                                  {"wal", "vol-1a2b3c4d"}}));
  InstanceIdentity without;
  ASSERT_TRUE(ParseUserData(R"({"stack":"s","deployment":"d","resource":"R",
      "metricsNamespace":"n"})",
                            without)
                  .ok());
  EXPECT_TRUE(without.volumes.empty());
}

TEST(InstanceIdentity, AVolumeWithoutAnEbsIdIsRefusedNamingIt) {
  for (const char* volumes :
       {R"("volumes":["vol-1a2b3c4d"])", R"("volumes":{"data":7})",
        R"("volumes":{"data":"snap-1a2b3c4d"})", R"("volumes":{"data":"vol-../../x"})",
        R"("volumes":{"":"vol-1a2b3c4d"})"}) {
    InstanceIdentity identity;
    Status parsed = ParseUserData(
        std::string(R"({"stack":"s","deployment":"d","resource":"R","metricsNamespace":"n",)") +
            volumes + "}",
        identity);
    EXPECT_FALSE(parsed.ok()) << volumes;
    EXPECT_NE(parsed.message().find("volume"), std::string::npos) << parsed.message();
  }
}

TEST(InstanceIdentity, DiscoveryBacksOffByDoublingUpToThirtySeconds) {
  EXPECT_EQ(DiscoveryBackoff(0), std::chrono::seconds(0));
  EXPECT_EQ(DiscoveryBackoff(1), std::chrono::seconds(1));
  EXPECT_EQ(DiscoveryBackoff(4), std::chrono::seconds(8));
  EXPECT_EQ(DiscoveryBackoff(6), std::chrono::seconds(30));
  // Past the width of an int, where a shift would be undefined.
  EXPECT_EQ(DiscoveryBackoff(40), std::chrono::seconds(30));
  EXPECT_EQ(DiscoveryBackoff(2147483647), std::chrono::seconds(30));
}

}  // namespace
}  // namespace i2kit::reporter
