#include "common/quantity.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

int64_t Cpu(const char* s) {
  Result<int64_t> r = ParseCpuMillis(s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r.ok() ? "" : r.status().message());
  return r.ok() ? *r : -1;
}

int64_t Memory(const char* s) {
  Result<int64_t> r = ParseMemoryBytes(s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r.ok() ? "" : r.status().message());
  return r.ok() ? *r : -1;
}

TEST(QuantityTest, ReadsCpuInMillicores) {
  EXPECT_EQ(Cpu("250m"), 250);
  EXPECT_EQ(Cpu("1"), 1000);
  EXPECT_EQ(Cpu("0.5"), 500);
  EXPECT_EQ(Cpu("2.25"), 2250);
  EXPECT_EQ(Cpu("+3"), 3000);
  EXPECT_EQ(Cpu("1e3"), 1000000);
  EXPECT_EQ(Cpu("100u"), 1);  // rounded up to the unit kept, as Kubernetes rounds
  EXPECT_EQ(Cpu("0"), 0);
}

TEST(QuantityTest, ReadsMemoryInBytes) {
  EXPECT_EQ(Memory("64Mi"), 64LL << 20);
  EXPECT_EQ(Memory("1Gi"), 1LL << 30);
  EXPECT_EQ(Memory("1G"), 1000000000);
  EXPECT_EQ(Memory("128974848"), 128974848);
  EXPECT_EQ(Memory("129e6"), 129000000);
  EXPECT_EQ(Memory("123Mi"), 123LL << 20);
  EXPECT_EQ(Memory("1.5Ki"), 1536);
  EXPECT_EQ(Memory("1k"), 1000);
}

TEST(QuantityTest, RejectsMalformedQuantities) {
  for (const char* bad :
       {"", "abc", "1x", "1.2.3", "-1", "1KiB", "Mi", "1e", "1e1234", "1 Mi", "0x10"}) {
    EXPECT_FALSE(ParseMemoryBytes(bad).ok()) << bad;
  }
  EXPECT_NE(ParseCpuMillis("-250m").status().message().find("negative"), std::string::npos);
}

TEST(QuantityTest, RejectsValuesThatOverflow) {
  EXPECT_FALSE(ParseMemoryBytes("99999999999999999999").ok());
  EXPECT_FALSE(ParseCpuMillis("10E").ok());
  EXPECT_FALSE(ParseMemoryBytes("8Ei").ok());  // 2^63 is one past int64
  EXPECT_TRUE(ParseMemoryBytes("7Ei").ok());
}

}  // namespace
}  // namespace i2kit
