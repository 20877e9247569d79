#include "common/image_reference.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

ImageReference Parse(const char* text) {
  Result<ImageReference> r = ParseImageReference(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.status().message());
  return r.ok() ? *r : ImageReference{};
}

TEST(ImageReferenceTest, NormalizesDockerHubNames) {
  ImageReference r = Parse("nginx:1.7.9");
  EXPECT_EQ(r.registry, "docker.io");
  EXPECT_EQ(r.repository, "library/nginx");
  EXPECT_EQ(r.tag, "1.7.9");
  EXPECT_EQ(r.Canonical(), "docker.io/library/nginx:1.7.9");
  EXPECT_EQ(Parse("nginx").Canonical(), "docker.io/library/nginx:latest");
  EXPECT_EQ(Parse("bitnami/redis").Canonical(), "docker.io/bitnami/redis:latest");
}

TEST(ImageReferenceTest, RecognizesRegistries) {
  EXPECT_EQ(Parse("localhost:5000/app:v2").registry, "localhost:5000");
  EXPECT_EQ(Parse("localhost/app").registry, "localhost");
  ImageReference r = Parse("my.registry.com/team/redis");
  EXPECT_EQ(r.registry, "my.registry.com");
  EXPECT_EQ(r.repository, "team/redis");
  EXPECT_EQ(r.tag, "latest");
}

TEST(ImageReferenceTest, KeepsDigests) {
  std::string digest = "sha256:" + std::string(64, 'a');
  ImageReference r = Parse(("alpine@" + digest).c_str());
  EXPECT_EQ(r.tag, "");
  EXPECT_EQ(r.digest, digest);
  EXPECT_EQ(Parse(("alpine:3.19@" + digest).c_str()).Canonical(),
            "docker.io/library/alpine:3.19@" + digest);
}

TEST(ImageReferenceTest, ReadsTransports) {
  ImageReference oci = Parse("oci:/images/busybox:latest");
  EXPECT_EQ(oci.transport, ImageTransport::kOciLayout);
  EXPECT_EQ(oci.path, "/images/busybox");
  EXPECT_EQ(oci.tag, "latest");
  EXPECT_EQ(Parse("oci:build/img").tag, "");
  ImageReference archive = Parse("docker-archive:./nginx.tar");
  EXPECT_EQ(archive.transport, ImageTransport::kDockerArchive);
  EXPECT_EQ(archive.path, "./nginx.tar");
  EXPECT_EQ(archive.Canonical(), "docker-archive:./nginx.tar");
}

TEST(ImageReferenceTest, RejectsMalformedReferences) {
  struct Case {
    const char* text;
    const char* why;
  };
  for (const Case& c :
       {Case{"", "it is empty"}, Case{"Nginx", "repository component 'Nginx'"},
        Case{"nginx:", "tag ''"}, Case{"nginx:-bad", "tag '-bad'"},
        Case{"nginx@sha256:abc", "digest must be sha256:"}, Case{"ngi nx", "whitespace"},
        Case{"a//b", "repository component ''"}, Case{"bad_host.com:x/app", "registry host"},
        Case{"oci:", "needs a path"}, Case{"docker-archive:", "needs a path"}}) {
    Result<ImageReference> r = ParseImageReference(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.why), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace i2kit
