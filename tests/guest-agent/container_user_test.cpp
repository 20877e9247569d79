#include "guest-agent/container_user.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

using Gids = std::vector<uint32_t>;

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n"
    "# a comment line, skipped\n"
    "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
    "app:x:1000:1000::/home/app:/bin/sh\n"
    "broken line\n";
constexpr const char* kGroup =
    "root:x:0:\n"
    "tty:x:5:app\n"
    "www-data:x:33:\n"
    "app:x:1000:\n"
    "logs:x:2000:www-data,app\n"
    "staff:x:50:www-data\n";

Result<ContainerUser> Resolve(const std::string& image_user, SecurityContext security = {}) {
  Container c;
  c.name = "web";
  c.security_context = security;
  ImageConfig image;
  image.user = image_user;
  return ResolveContainerUser(c, image, kPasswd, kGroup);
}

ContainerUser Ok(const std::string& image_user, SecurityContext security = {}) {
  Result<ContainerUser> user = Resolve(image_user, security);
  EXPECT_TRUE(user.ok()) << user.status().message();
  return user.ok() ? *user : ContainerUser{};
}

TEST(ContainerUserTest, AnImageWithoutUserRunsAsRoot) {
  EXPECT_EQ(Ok(""), (ContainerUser{0, 0, {0}}));
}

TEST(ContainerUserTest, ResolvesAUserNameWithItsGroupAndMemberships) {
  EXPECT_EQ(Ok("www-data"), (ContainerUser{33, 33, {33, 2000, 50}}));
}

TEST(ContainerUserTest, ResolvesAUserNameAndAGroupName) {
  EXPECT_EQ(Ok("app:logs"), (ContainerUser{1000, 2000, {2000, 5}}));
}

TEST(ContainerUserTest, NumericUidTakesItsGroupFromPasswdWhenListed) {
  EXPECT_EQ(Ok("1000"), (ContainerUser{1000, 1000, {1000, 5, 2000}}));
  EXPECT_EQ(Ok("4242"), (ContainerUser{4242, 0, {0}}));
}

TEST(ContainerUserTest, NumericUidAndGidNeedNoPasswdEntry) {
  EXPECT_EQ(Ok("4242:4343"), (ContainerUser{4242, 4343, {4343}}));
}

TEST(ContainerUserTest, AUserMissingFromPasswdIsAnError) {
  EXPECT_EQ(Resolve("nginx").status().message(),
            "container web: the image's user 'nginx' is not in the image's /etc/passwd");
  EXPECT_EQ(Resolve("app:wheel").status().message(),
            "container web: the image's group 'wheel' is not in the image's /etc/group");
}

TEST(ContainerUserTest, RunAsUserAndRunAsGroupWinOverTheImage) {
  SecurityContext security;
  security.run_as_user = 33;
  EXPECT_EQ(Ok("app:logs", security), (ContainerUser{33, 33, {33, 2000, 50}}));
  security.run_as_group = 7;
  EXPECT_EQ(Ok("app:logs", security), (ContainerUser{33, 7, {7, 2000, 50}}));
}

TEST(ContainerUserTest, RunAsGroupAloneKeepsTheImageUser) {
  SecurityContext security;
  security.run_as_group = 7;
  EXPECT_EQ(Ok("app", security), (ContainerUser{1000, 7, {7, 5, 2000}}));
}

TEST(ContainerUserTest, RunAsNonRootRefusesAnImageThatRunsAsRoot) {
  SecurityContext security;
  security.run_as_non_root = true;
  EXPECT_EQ(Resolve("", security).status().message(),
            "container web: runAsNonRoot is set but the image runs as root (uid 0); set "
            "runAsUser");
  EXPECT_EQ(Resolve("root", security).status().message(),
            "container web: runAsNonRoot is set but the image runs as root (uid 0); set "
            "runAsUser");
  EXPECT_TRUE(Resolve("app", security).ok());
  security.run_as_user = 1000;
  EXPECT_TRUE(Resolve("", security).ok());
}

TEST(ContainerUserTest, RunAsNonRootRefusesRunAsUserZero) {
  SecurityContext security;
  security.run_as_non_root = true;
  security.run_as_user = 0;
  EXPECT_EQ(Resolve("app", security).status().message(),
            "container web: runAsNonRoot is set but runAsUser is 0 (root)");
}

}  // namespace
}  // namespace i2kit
