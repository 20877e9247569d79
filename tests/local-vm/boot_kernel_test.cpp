// The kernel a local Pod VM boots: the recorded vmlinux only while it and the artifacts'
// bzImage have the digests the build recorded; the bzImage otherwise; --kernel always.
#include "local-vm/boot_kernel.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>

namespace i2kit {
namespace {

VmArtifacts Artifacts() {
  VmArtifacts a;
  a.kernel = "bzImage";
  a.direct_kernel = {"/cache/k/vmlinux", "sha256:aaaa", "sha256:bbbb"};
  return a;
}

// Files as a map from path to digest; a path not in it cannot be read.
FileDigestFn Files(std::map<std::string, std::string> files) {
  return [files](const std::string& path) -> Result<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return Status::Error("open " + path + ": No such file or directory");
    return it->second;
  };
}

const std::map<std::string, std::string> kMatching = {{"/cache/k/vmlinux", "sha256:aaaa"},
                                                      {"/art/bzImage", "sha256:bbbb"}};

TEST(BootKernelTest, BootsTheVmlinuxWhenBothFilesHaveTheRecordedDigests) {
  BootKernel k = ChooseBootKernel(Artifacts(), "/art", "", Files(kMatching));
  EXPECT_EQ(k.path, "/cache/k/vmlinux");
  EXPECT_NE(k.why.find("PVH"), std::string::npos) << k.why;
}

TEST(BootKernelTest, BootsTheBzImageWhenNoVmlinuxIsRecorded) {
  VmArtifacts a = Artifacts();
  a.direct_kernel = {};
  EXPECT_EQ(ChooseBootKernel(a, "/art", "", Files(kMatching)).path, "/art/bzImage");
}

TEST(BootKernelTest, BootsTheBzImageWhenTheVmlinuxIsGone) {
  BootKernel k =
      ChooseBootKernel(Artifacts(), "/art", "", Files({{"/art/bzImage", "sha256:bbbb"}}));
  EXPECT_EQ(k.path, "/art/bzImage");
  EXPECT_NE(k.why.find("No such file"), std::string::npos) << k.why;
}

TEST(BootKernelTest, BootsTheBzImageWhenTheVmlinuxWasRebuiltSinceTheBuild) {
  std::map<std::string, std::string> files = kMatching;
  files["/cache/k/vmlinux"] = "sha256:cccc";
  BootKernel k = ChooseBootKernel(Artifacts(), "/art", "", Files(files));
  EXPECT_EQ(k.path, "/art/bzImage");
  EXPECT_NE(k.why.find("changed"), std::string::npos) << k.why;
}

TEST(BootKernelTest, BootsTheBzImageWhenItIsNotTheKernelTheVmlinuxWasRecordedWith) {
  std::map<std::string, std::string> files = kMatching;
  files["/art/bzImage"] = "sha256:dddd";  // another kernel copied into the artifacts
  EXPECT_EQ(ChooseBootKernel(Artifacts(), "/art", "", Files(files)).path, "/art/bzImage");
}

TEST(BootKernelTest, AnOverrideKernelWinsWithoutReadingAnyFile) {
  BootKernel k = ChooseBootKernel(Artifacts(), "/art", "/my/bzImage", Files({}));
  EXPECT_EQ(k.path, "/my/bzImage");
}

TEST(BootKernelTest, ADigestIsRememberedUntilItsFileChanges) {
  std::string path = ::testing::TempDir() + "i2kit-digest-" + std::to_string(::getpid());
  std::ofstream(path) << "one";
  int calls = 0;
  FileDigestFn digest = RememberedFileDigest([&](const std::string& p) -> Result<std::string> {
    ++calls;
    std::ifstream in(p);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return "sha256:" + text;
  });
  EXPECT_EQ(digest(path).value(), "sha256:one");
  EXPECT_EQ(digest(path).value(), "sha256:one");
  EXPECT_EQ(calls, 1);
  std::ofstream(path) << "three";  // another size
  EXPECT_EQ(digest(path).value(), "sha256:three");
  EXPECT_EQ(calls, 2);
  std::remove(path.c_str());
  calls = 0;
  FileDigestFn failing = RememberedFileDigest(
      [&](const std::string& p) -> Result<std::string> { return Status::Error(p + " is gone"); });
  EXPECT_FALSE(failing(path).ok());
}

}  // namespace
}  // namespace i2kit
