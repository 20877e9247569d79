#include "common/capability_names.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

TEST(CapabilityNamesTest, AcceptsNamesWithOrWithoutPrefixInAnyCase) {
  for (const char* name :
       {"NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE", "net_bind_service", "cap_net_bind_service"}) {
    Result<std::string> r = NormalizeCapabilityName(name);
    ASSERT_TRUE(r.ok()) << name;
    EXPECT_EQ(*r, "NET_BIND_SERVICE");
  }
}

TEST(CapabilityNamesTest, AcceptsAll) {
  ASSERT_TRUE(NormalizeCapabilityName("all").ok());
  EXPECT_EQ(*NormalizeCapabilityName("all"), "ALL");
}

TEST(CapabilityNamesTest, RejectsUnknownNames) {
  Result<std::string> r = NormalizeCapabilityName("CAP_NET_BIND");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "unknown capability 'CAP_NET_BIND'");
  EXPECT_FALSE(NormalizeCapabilityName("").ok());
  EXPECT_FALSE(NormalizeCapabilityName("CAP_").ok());
}

TEST(CapabilityNamesTest, MapsToKernelNumbers) {
  EXPECT_EQ(CapabilityNumber("CHOWN"), 0);
  EXPECT_EQ(CapabilityNumber("NET_BIND_SERVICE"), 10);
  EXPECT_EQ(CapabilityNumber("SYS_ADMIN"), 21);
  EXPECT_EQ(CapabilityNumber("ALL"), -1);
}

}  // namespace
}  // namespace i2kit
