#include "guest-agent/capabilities.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace i2kit {
namespace {

using Names = std::vector<std::string>;

const Names kDefault = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
                        "CAP_KILL",  "CAP_SETGID",       "CAP_SETUID", "CAP_NET_BIND_SERVICE"};

CapabilitySets For(Names add, Names drop, uint32_t uid) {
  SecurityContext security;
  security.capabilities_add = std::move(add);
  security.capabilities_drop = std::move(drop);
  Result<CapabilitySets> sets = ContainerCapabilities(security, uid);
  EXPECT_TRUE(sets.ok()) << sets.status().message();
  return sets.ok() ? *sets : CapabilitySets{};
}

TEST(CapabilitiesTest, DefaultIsExactlyTheEightServerCapabilitiesInNumberOrder) {
  CapabilitySets sets = For({}, {}, 0);
  EXPECT_EQ(sets.bounding, kDefault);
  EXPECT_EQ(sets.effective, kDefault);
  EXPECT_EQ(sets.permitted, kDefault);
  EXPECT_EQ(CapabilityMask(sets.effective), 0x4fbu);
}

TEST(CapabilitiesTest, RootGetsNoAmbientOrInheritableCapabilities) {
  CapabilitySets sets = For({}, {}, 0);
  EXPECT_TRUE(sets.ambient.empty());
  EXPECT_TRUE(sets.inheritable.empty());
}

TEST(CapabilitiesTest, NonRootUserWithTheDefaultsHoldsNoCapability) {
  CapabilitySets sets = For({}, {}, 1000);
  EXPECT_EQ(sets.bounding, kDefault);
  EXPECT_TRUE(sets.effective.empty());
  EXPECT_TRUE(sets.permitted.empty());
  EXPECT_TRUE(sets.inheritable.empty());
  EXPECT_TRUE(sets.ambient.empty());
}

TEST(CapabilitiesTest, NonRootUserHoldsExactlyWhatAddNamesAsAmbient) {
  CapabilitySets sets = For({"NET_BIND_SERVICE"}, {}, 1000);
  Names only = {"CAP_NET_BIND_SERVICE"};
  EXPECT_EQ(sets.bounding, kDefault);
  EXPECT_EQ(sets.effective, only);
  EXPECT_EQ(sets.permitted, only);
  EXPECT_EQ(sets.inheritable, only);
  EXPECT_EQ(sets.ambient, only);
  EXPECT_EQ(CapabilityMask(sets.effective), 0x400u);
}

TEST(CapabilitiesTest, NonRootUserLosesAnAddedCapabilityThatIsAlsoDropped) {
  CapabilitySets sets = For({"NET_ADMIN", "KILL"}, {"NET_ADMIN"}, 1000);
  EXPECT_EQ(sets.ambient, Names{"CAP_KILL"});
  EXPECT_EQ(sets.effective, Names{"CAP_KILL"});
}

TEST(CapabilitiesTest, NonRootUserWithAddAllHoldsTheWholeBoundingSet) {
  CapabilitySets sets = For({"ALL"}, {"SYS_ADMIN"}, 1000);
  EXPECT_EQ(sets.ambient, sets.bounding);
  EXPECT_EQ(std::find(sets.ambient.begin(), sets.ambient.end(), "CAP_SYS_ADMIN"),
            sets.ambient.end());
}

TEST(CapabilitiesTest, DropAllThenAddNetBindServiceLeavesOnlyIt) {
  CapabilitySets sets = For({"NET_BIND_SERVICE"}, {"ALL"}, 101);
  Names only = {"CAP_NET_BIND_SERVICE"};
  EXPECT_EQ(sets.bounding, only);
  EXPECT_EQ(sets.effective, only);
  EXPECT_EQ(sets.permitted, only);
  EXPECT_EQ(sets.ambient, only);
}

TEST(CapabilitiesTest, DropAllWithNothingAddedLeavesEverySetEmpty) {
  EXPECT_EQ(For({}, {"ALL"}, 1000), CapabilitySets{});
}

TEST(CapabilitiesTest, DroppingANamedCapabilityRemovesOnlyIt) {
  CapabilitySets sets = For({}, {"KILL", "CAP_CHOWN"}, 0);
  EXPECT_EQ(sets.bounding, (Names{"CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_SETGID",
                                  "CAP_SETUID", "CAP_NET_BIND_SERVICE"}));
}

TEST(CapabilitiesTest, AddedCapabilitiesJoinTheDefaultInNumberOrder) {
  CapabilitySets sets = For({"SYS_PTRACE", "net_admin"}, {}, 0);
  EXPECT_EQ(sets.bounding, (Names{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
                                  "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_NET_BIND_SERVICE",
                                  "CAP_NET_ADMIN", "CAP_SYS_PTRACE"}));
}

TEST(CapabilitiesTest, DropWinsOverAddForTheSameCapability) {
  CapabilitySets sets = For({"NET_ADMIN"}, {"ALL", "NET_ADMIN"}, 0);
  EXPECT_TRUE(sets.bounding.empty());
}

TEST(CapabilitiesTest, AddAllGrantsEveryCapabilityLibcapNgKnows) {
  CapabilitySets sets = For({"ALL"}, {}, 0);
  EXPECT_GE(sets.bounding.size(), 41u);  // CHOWN (0) … CHECKPOINT_RESTORE (40) since Linux 5.9
  EXPECT_EQ(sets.bounding.front(), "CAP_CHOWN");
  EXPECT_NE(std::find(sets.bounding.begin(), sets.bounding.end(), "CAP_SYS_ADMIN"),
            sets.bounding.end());
}

TEST(CapabilitiesTest, RejectsUnknownNamesWithTheirField) {
  SecurityContext security;
  security.capabilities_add = {"NET_BIND_SERVICE", "FLY"};
  Result<CapabilitySets> sets = ContainerCapabilities(security, 0);
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.status().message(), "capabilities.add[1]: unknown capability 'FLY'");
}

TEST(CapabilitiesTest, WritesTheOciCapabilitiesObject) {
  nlohmann::ordered_json json = ToJson(For({"NET_BIND_SERVICE"}, {"ALL"}, 0));
  EXPECT_EQ(json.dump(),
            R"({"bounding":["CAP_NET_BIND_SERVICE"],"effective":["CAP_NET_BIND_SERVICE"],)"
            R"("inheritable":[],"permitted":["CAP_NET_BIND_SERVICE"],"ambient":[]})");
}

}  // namespace
}  // namespace i2kit
