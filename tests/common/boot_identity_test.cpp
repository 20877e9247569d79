#include "common/boot_identity.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

BootIdentity Example() {
  BootIdentity identity;
  identity.replica = 2;
  identity.unix_ns = 1796650000123456789;
  for (size_t i = 0; i < kBootEntropyBytes; ++i) identity.entropy += static_cast<char>(i * 7);
  return identity;
}

TEST(BootIdentityTest, RoundTripsEveryField) {
  Result<BootIdentity> back = BootIdentityFromJson(BootIdentityToJson(Example()));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->replica, 2);
  EXPECT_EQ(back->unix_ns, 1796650000123456789);
  EXPECT_EQ(back->entropy, Example().entropy);
}

TEST(BootIdentityTest, RefusesEntropyOfAnotherSize) {
  BootIdentity identity = Example();
  identity.entropy.resize(16);
  Result<BootIdentity> back = BootIdentityFromJson(BootIdentityToJson(identity));
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("entropy"), std::string::npos);
}

TEST(BootIdentityTest, NamesTheFieldThatIsMissingOrWrong) {
  EXPECT_NE(BootIdentityFromJson(R"({"unixNs":1,"entropy":""})").status().message().find("replica"),
            std::string::npos);
  EXPECT_NE(BootIdentityFromJson(R"({"replica":-1})").status().message().find("replica"),
            std::string::npos);
  EXPECT_NE(
      BootIdentityFromJson(R"({"replica":0,"unixNs":"now"})").status().message().find("unixNs"),
      std::string::npos);
  EXPECT_FALSE(BootIdentityFromJson("not yet").ok());
}

}  // namespace
}  // namespace i2kit
