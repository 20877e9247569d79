// The JSON form of the model survives the trip from host to guest unchanged.
#include "common/pod_model_json.h"

#include <gtest/gtest.h>

#include "common/manifest_test_util.h"

namespace i2kit {
namespace {

// The model's JSON without the "source" fields, which name the host's files.
nlohmann::json WithoutSources(nlohmann::json json) {
  for (auto& d : json["deployments"]) d.erase("source");
  for (auto& s : json["services"]) s.erase("source");
  return json;
}

void ExpectRoundTrip(const std::string& yaml) {
  LoadedManifest loaded = testing::Read(yaml);
  ASSERT_TRUE(testing::IsValid(loaded));
  nlohmann::json written = ToJson(loaded.manifest);
  Result<Manifest> back = ManifestFromJson(written);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(WithoutSources(nlohmann::json(ToJson(*back))), WithoutSources(written));
}

TEST(PodModelJsonTest, RoundTripsEveryExample) {
  for (const char* name :
       {"paper-fig2-deployment.yml", "paper-fig5-i2kit.yml", "web-with-service.yml"}) {
    SCOPED_TRACE(name);
    ExpectRoundTrip(testing::ReadExample(name));
  }
}

TEST(PodModelJsonTest, RoundTripsProbesListenersAndSecurity) {
  ExpectRoundTrip(R"(name: lb
containers:
  web:
    image: oci:/images/web:v1
    ports: ["https:443:http:80:arn:aws:acm:eu-west-1:1:certificate/x", "udp:53:udp:53"]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  strategy: {type: Recreate}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: registry.example.com:5000/api@sha256:0123456789012345678901234567890123456789012345678901234567890123
        ports: [{name: http, containerPort: 8080}]
        livenessProbe: {exec: {command: [cat, /ok]}}
        readinessProbe: {httpGet: {port: http, httpHeaders: [{name: A, value: b}]}}
        startupProbe: {tcpSocket: {port: 8080, host: 127.0.0.1}, failureThreshold: 30}
        securityContext:
          runAsUser: 1000
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
          seccompProfile: {type: Localhost, localhostProfile: web.json}
)");
}

TEST(PodModelJsonTest, NamesThePathOfABadField) {
  nlohmann::json json =
      ToJson(testing::Read(testing::ReadExample("web-with-service.yml")).manifest);
  json["deployments"][0]["containers"][0]["ports"][0]["protocol"] = "HTTP";
  Result<Manifest> back = ManifestFromJson(json);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().message(),
            "manifest JSON: deployments[0].containers[0].ports[0].protocol: expected a known name, "
            "not 'HTTP'");
  json = ToJson(testing::Read(testing::ReadExample("web-with-service.yml")).manifest);
  json["deployments"][0]["replicas"] = "two";
  EXPECT_EQ(ManifestFromJson(json).status().message(),
            "manifest JSON: deployments[0].replicas: expected an integer");
  EXPECT_FALSE(ManifestFromJson(nlohmann::json::array()).ok());
}

}  // namespace
}  // namespace i2kit
