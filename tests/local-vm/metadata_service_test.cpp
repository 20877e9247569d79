// The local instance-metadata service: IMDSv2's token rules and the paths the agent reads.
#include "local-vm/metadata_service.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

constexpr std::string_view kKey = "replica-key";
constexpr int64_t kNow = 1'800'000'000;

InstanceIdentity Identity() {
  InstanceIdentity id;
  id.instance_id = "i-local-web-3";
  return id;
}

MetadataResponse Ask(const std::string& request, int64_t now = kNow) {
  return HandleMetadataRequest(request, Identity(), kKey, now, [] { return std::string("{dir}"); });
}

std::string Token(int ttl = 60) {
  return Ask("PUT /latest/api/token HTTP/1.0\r\nX-aws-ec2-metadata-token-ttl-seconds: " +
             std::to_string(ttl) + "\r\n\r\n")
      .body;
}

std::string Get(const std::string& path, const std::string& token) {
  return "GET " + path +
         " HTTP/1.0\r\nHost: 169.254.169.254\r\nx-aws-ec2-metadata-token: " + token + "\r\n\r\n";
}

TEST(MetadataServiceTest, ATokenOpensTheMetadataPaths) {
  std::string token = Token();
  MetadataResponse id = Ask(Get("/latest/meta-data/instance-id", token));
  EXPECT_EQ(id.status, 200);
  EXPECT_EQ(id.body, "i-local-web-3");
  EXPECT_EQ(Ask(Get("/latest/meta-data/placement/region", token)).body, "local");
  EXPECT_EQ(Ask(Get("/latest/meta-data/placement/availability-zone", token)).body, "local-1a");
  EXPECT_EQ(Ask(Get("/i2kit/v1/services", token)).body, "{dir}");
  EXPECT_NE(Ask(Get("/latest/dynamic/instance-identity/document", token))
                .body.find("\"instanceId\": \"i-local-web-3\""),
            std::string::npos);
  EXPECT_EQ(Ask(Get("/latest/user-data", token)).status, 404);  // none given
  EXPECT_EQ(Ask(Get("/latest/meta-data/nothing-here", token)).status, 404);
}

TEST(MetadataServiceTest, TheExecKeyIsTheReplicasOwnAndNeedsASessionToken) {
  std::string token = Token();
  MetadataResponse key = Ask(Get("/i2kit/v1/exec-key", token));
  EXPECT_EQ(key.status, 200);
  EXPECT_EQ(key.body, ExecKeyFor(kKey));
  EXPECT_EQ(key.body.size(), 64u);
  EXPECT_NE(key.body, ExecKeyFor("another-replica-key"));
  EXPECT_EQ(Ask("GET /i2kit/v1/exec-key HTTP/1.0\r\n\r\n").status, 401);
}

TEST(MetadataServiceTest, WithoutAValidTokenEveryGetIs401) {
  std::string token = Token(60);
  EXPECT_EQ(Ask("GET /latest/meta-data/instance-id HTTP/1.0\r\n\r\n").status, 401);
  EXPECT_EQ(Ask(Get("/latest/meta-data/instance-id", "garbage")).status, 401);
  std::string forged = token;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(Ask(Get("/latest/meta-data/instance-id", forged)).status, 401);
  std::string longer = "9" + token;  // a later expiry with the old signature
  EXPECT_EQ(Ask(Get("/latest/meta-data/instance-id", longer)).status, 401);
  EXPECT_EQ(Ask(Get("/latest/meta-data/instance-id", token), kNow + 61).status, 401);  // expired
  EXPECT_EQ(Ask(Get("/latest/meta-data/instance-id", token), kNow + 59).status, 200);
  MetadataResponse other_key =
      HandleMetadataRequest(Get("/latest/meta-data/instance-id", token), Identity(),
                            "another replica", kNow, [] { return std::string(); });
  EXPECT_EQ(other_key.status, 401);
}

TEST(MetadataServiceTest, TokenTtlsOutside1To21600AndProxiedRequestsAreRefused) {
  EXPECT_EQ(Ask("PUT /latest/api/token HTTP/1.0\r\n\r\n").status, 400);
  for (const char* ttl : {"0", "21601", "-5", "ten", ""}) {
    EXPECT_EQ(Ask(std::string(
                      "PUT /latest/api/token HTTP/1.0\r\nX-aws-ec2-metadata-token-ttl-seconds: ") +
                  ttl + "\r\n\r\n")
                  .status,
              400)
        << ttl;
  }
  EXPECT_EQ(Token(21600).empty(), false);
  EXPECT_EQ(Ask("PUT /latest/api/token HTTP/1.0\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\n"
                "X-Forwarded-For: 10.0.0.1\r\n\r\n")
                .status,
            403);
  EXPECT_EQ(Ask("GET /latest/api/token HTTP/1.0\r\n\r\n").status, 405);
  EXPECT_EQ(Ask("nonsense").status, 400);
  EXPECT_EQ(Ask("").status, 400);
}

TEST(MetadataServiceTest, ResponsesAreHttp10WithALength) {
  MetadataResponse r{401, ""};
  EXPECT_EQ(r.Serialize(),
            "HTTP/1.0 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n");
}

}  // namespace
}  // namespace i2kit

namespace i2kit {
namespace {

MetadataResponse AskWithSecrets(const std::string& request,
                                const std::function<Result<std::string>()>& secrets) {
  return HandleMetadataRequest(
      request, Identity(), kKey, kNow, [] { return std::string("{}"); }, secrets);
}

TEST(MetadataServiceTest, ThePodsSecretsNeedASessionToken) {
  auto secrets = [] { return Result<std::string>(std::string("{\"secrets\":[]}")); };
  EXPECT_EQ(AskWithSecrets("GET /i2kit/v1/secrets HTTP/1.0\r\n\r\n", secrets).status, 401);
  MetadataResponse got = AskWithSecrets(Get("/i2kit/v1/secrets", Token()), secrets);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "{\"secrets\":[]}");
}

TEST(MetadataServiceTest, ASecretsFileThatCannotBeReadIsAServerErrorAndNoneIsNotFound) {
  MetadataResponse broken = AskWithSecrets(Get("/i2kit/v1/secrets", Token()), [] {
    return Result<std::string>(Status::Error("open /a/secrets.json: Permission denied"));
  });
  EXPECT_EQ(broken.status, 500);
  EXPECT_NE(broken.Serialize().find("500 Internal Server Error"), std::string::npos);
  EXPECT_EQ(Ask(Get("/i2kit/v1/secrets", Token())).status, 404);
}

}  // namespace
}  // namespace i2kit
