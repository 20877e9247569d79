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

// Every field the Kubernetes Pod spec adds (volumes, env sources, init containers, hooks, gRPC
// probes, Pod-level groups), set to values other than their defaults, comes back the same.
TEST(PodModelJsonTest, RoundTripsVolumesEnvSourcesInitContainersAndHooks) {
  Manifest m = testing::Read(testing::ReadExample("web-with-service.yml")).manifest;
  Deployment& d = m.deployments.at(0);
  d.namespace_name = "shop";
  d.pod_security.fs_group = 2000;
  d.pod_security.supplemental_groups = {3000, 3001};
  d.pod_security.fs_group_on_root_mismatch = true;
  Volume scratch;
  scratch.name = "scratch";
  scratch.in_memory = true;
  scratch.size_limit_bytes = 64 << 20;
  Volume config;
  config.name = "config";
  config.type = VolumeType::kConfigMap;
  config.object_name = "settings";
  config.optional = true;
  config.default_mode = 0440;
  config.items = {{"app.conf", 0400, "conf", {}}};
  Volume info;
  info.name = "info";
  info.type = VolumeType::kDownwardApi;
  info.items = {{"labels", std::nullopt, "", {.field_path = "metadata.labels"}},
                {"mem", std::nullopt, "", {.resource = "limits.memory", .divisor = 1 << 20}}};
  Volume data;
  data.name = "data";
  data.type = VolumeType::kPersistent;
  data.size_bytes = int64_t{10} << 30;
  data.claim_name = "data-db-0";
  d.volumes = {scratch, config, info, data};
  Container& c = d.containers.at(0);
  c.env_from = {{true, "tokens", "T_", false}, {false, "settings", "", true}};
  EnvVar password;
  password.name = "PASSWORD";
  password.source = EnvSource::kSecretKey;
  password.object_name = "tokens";
  password.key = "db";
  EnvVar pod_ip;
  pod_ip.name = "POD_IP";
  pod_ip.source = EnvSource::kPodField;
  pod_ip.field.field_path = "status.podIP";
  c.env.push_back(password);
  c.env.push_back(pod_ip);
  c.volume_mounts = {{"scratch", "/tmp/x", false, ""},
                     {"config", "/etc/app", true, "app.conf"},
                     {"data", "/var/lib/data", false, ""}};
  LifecycleHook drain;
  drain.action = HookAction::kSleep;
  drain.sleep_seconds = 5;
  c.lifecycle.pre_stop = drain;
  Probe grpc;
  grpc.action = ProbeAction::kGrpc;
  grpc.port = 9555;
  grpc.grpc_service = "shop.Cart";
  c.readiness_probe = grpc;
  Container init = c;
  init.name = "prepare";
  init.restart_always = true;
  d.init_containers = {init};
  m.config_maps = {{"settings", {{"conf", std::string("a=1\0\xff", 5)}}, {}}};

  nlohmann::json written = ToJson(m);
  Result<Manifest> back = ManifestFromJson(written);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(WithoutSources(nlohmann::json(ToJson(*back))), WithoutSources(written));
  EXPECT_EQ(back->config_maps.at(0).data.at("conf"), std::string("a=1\0\xff", 5));
}

TEST(PodModelJsonTest, NeverWritesASecretsValue) {
  Manifest m;
  m.secrets = {{"tokens", {{"db", "hunter2"}}, {}}};
  std::string text = ToJsonText(m);
  EXPECT_NE(text.find("\"db\""), std::string::npos) << text;
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_EQ(text.find("aHVudGVyMg"), std::string::npos) << text;  // nor its base64
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
