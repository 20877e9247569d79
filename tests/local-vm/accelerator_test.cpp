// Choosing the accelerator: KVM only when /dev/kvm is usable and a probe boot (or its cached
// verdict) says it works; the facts are injected, no VM boots here.
#include "local-vm/accelerator.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

// Facts whose probe and cache are recorded instead of touching the host.
struct FakeHost {
  std::string kvm_device_problem;
  std::optional<KvmProbeResult> cached;
  KvmProbeResult probe_result;
  int probes = 0;
  std::optional<KvmProbeResult> written;

  AcceleratorFacts Facts() {
    AcceleratorFacts facts;
    facts.kvm_device_problem = kvm_device_problem;
    facts.read_cached_probe = [this] { return cached; };
    facts.run_probe = [this] {
      ++probes;
      return probe_result;
    };
    facts.write_cached_probe = [this](const KvmProbeResult& r) { written = r; };
    return facts;
  }
};

TEST(AcceleratorTest, TcgAsAskedNeverProbes) {
  FakeHost host;
  Result<AcceleratorChoice> c = ChooseAccelerator(AcceleratorRequest::kTcg, host.Facts());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->accelerator, Accelerator::kTcg);
  EXPECT_EQ(host.probes, 0);
}

TEST(AcceleratorTest, KvmAsAskedIsTrustedWithoutAProbe) {
  FakeHost host;
  Result<AcceleratorChoice> c = ChooseAccelerator(AcceleratorRequest::kKvm, host.Facts());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->accelerator, Accelerator::kKvm);
  EXPECT_EQ(host.probes, 0);
}

TEST(AcceleratorTest, KvmAsAskedFailsWithoutAUsableDevice) {
  FakeHost host;
  host.kvm_device_problem = "open(\"/dev/kvm\") failed: ENOENT";
  Result<AcceleratorChoice> c = ChooseAccelerator(AcceleratorRequest::kKvm, host.Facts());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/dev/kvm"), std::string::npos);
}

TEST(AcceleratorTest, AutoFallsBackToTcgWithoutDeviceAndWithoutProbing) {
  FakeHost host;
  host.kvm_device_problem = "open(\"/dev/kvm\") failed: EACCES";
  Result<AcceleratorChoice> c = ChooseAccelerator(AcceleratorRequest::kAuto, host.Facts());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->accelerator, Accelerator::kTcg);
  EXPECT_NE(c->reason.find("EACCES"), std::string::npos);
  EXPECT_EQ(host.probes, 0);
}

TEST(AcceleratorTest, AutoUsesACachedVerdictWithoutProbing) {
  FakeHost host;
  host.cached = KvmProbeResult{true, ""};
  EXPECT_EQ(ChooseAccelerator(AcceleratorRequest::kAuto, host.Facts())->accelerator,
            Accelerator::kKvm);
  host.cached = KvmProbeResult{false, "did not finish within 8 s"};
  Result<AcceleratorChoice> c = ChooseAccelerator(AcceleratorRequest::kAuto, host.Facts());
  EXPECT_EQ(c->accelerator, Accelerator::kTcg);
  EXPECT_NE(c->reason.find("cached"), std::string::npos);
  EXPECT_EQ(host.probes, 0);
  EXPECT_FALSE(host.written.has_value());
}

TEST(AcceleratorTest, AutoProbesOnceAndCachesAHang) {
  FakeHost host;
  host.probe_result = {false, "the probe boot under KVM did not finish within 8 s"};
  Result<AcceleratorChoice> c = ChooseAccelerator(AcceleratorRequest::kAuto, host.Facts());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->accelerator, Accelerator::kTcg);
  EXPECT_TRUE(c->probed);
  EXPECT_EQ(host.probes, 1);
  ASSERT_TRUE(host.written.has_value());
  EXPECT_FALSE(host.written->works);
  EXPECT_NE(c->reason.find("did not finish"), std::string::npos);
}

TEST(AcceleratorTest, AProbeThatCouldNotRunIsNotCached) {
  FakeHost host;
  host.probe_result = {false, "posix_spawnp(\"qemu-system-x86_64\") failed: ENOENT", false};
  Result<AcceleratorChoice> c = ChooseAccelerator(AcceleratorRequest::kAuto, host.Facts());
  EXPECT_EQ(c->accelerator, Accelerator::kTcg);
  EXPECT_FALSE(host.written.has_value());
}

TEST(AcceleratorTest, AutoPicksKvmWhenTheProbeBootEnds) {
  FakeHost host;
  host.probe_result = {true, ""};
  Result<AcceleratorChoice> c = ChooseAccelerator(AcceleratorRequest::kAuto, host.Facts());
  EXPECT_EQ(c->accelerator, Accelerator::kKvm);
  ASSERT_TRUE(host.written.has_value());
  EXPECT_TRUE(host.written->works);
}

TEST(AcceleratorTest, ProbeBootsTheKernelAloneUnderKvmAndExitsOnPanic) {
  std::vector<std::string> expected = {"qemu-system-x86_64",
                                       "-M",
                                       "microvm",
                                       "-accel",
                                       "kvm",
                                       "-nodefaults",
                                       "-no-user-config",
                                       "-nographic",
                                       "-no-reboot",
                                       "-m",
                                       "64",
                                       "-kernel",
                                       "/k/bzImage",
                                       "-append",
                                       "console=ttyS0 panic=-1 reboot=t",
                                       "-serial",
                                       "file:/tmp/p/console.log"};
  EXPECT_EQ(KvmProbeArgv("qemu-system-x86_64", "/k/bzImage", "/tmp/p/console.log"), expected);
}

}  // namespace
}  // namespace i2kit
