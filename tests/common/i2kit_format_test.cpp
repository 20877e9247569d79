// The i2kit short format: every field, its default, and every error with its location.
#include <gtest/gtest.h>

#include "common/i2kit_format_reader.h"
#include "common/manifest_test_util.h"

namespace i2kit {
namespace {

using testing::HasError;
using testing::HasWarning;
using testing::IsValid;
using testing::Read;

TEST(I2kitFormatTest, ReadsThePapersFigure5) {
  LoadedManifest loaded = Read(testing::ReadExample("paper-fig5-i2kit.yml"));
  ASSERT_TRUE(IsValid(loaded));
  ASSERT_EQ(loaded.manifest.deployments.size(), 1u);
  const Deployment& d = loaded.manifest.deployments[0];
  EXPECT_EQ(d.name, "nginx-deployment");
  EXPECT_EQ(d.format, ManifestFormat::kI2kit);
  EXPECT_EQ(d.replicas, 3);
  ASSERT_EQ(d.containers.size(), 1u);
  EXPECT_EQ(d.containers[0].name, "nginx");
  EXPECT_EQ(d.containers[0].image.Canonical(), "docker.io/library/nginx:1.7.9");
  ASSERT_EQ(d.containers[0].ports.size(), 1u);
  const ContainerPort& port = d.containers[0].ports[0];
  EXPECT_EQ(port.container_port, 80);
  ASSERT_TRUE(port.listener.has_value());
  EXPECT_EQ(port.listener->protocol, ListenerProtocol::kTcp);
  EXPECT_EQ(port.listener->port, 80);
}

TEST(I2kitFormatTest, ReadsEveryField) {
  LoadedManifest loaded = Read(R"(name: test
replicas: 2
stateful: false
public: true
instance_type: t3.small
containers:
  nginx:
    image: nginx:alpine
    environment:
      - NAME=VALUE
      - EMPTY=
      - WITH_EQUALS=a=b
    ports:
      - https:443:http:80
      - tcp:6000:tcp:6001
      - "8080"
    command: nginx -g 'daemon off;'
  sidecar:
    image: busybox
    command: [sleep, "3600"]
)");
  ASSERT_TRUE(IsValid(loaded));
  const Deployment& d = loaded.manifest.deployments.at(0);
  EXPECT_EQ(d.replicas, 2);
  EXPECT_TRUE(d.is_public);
  EXPECT_FALSE(d.stateful);
  EXPECT_EQ(d.instance_type, "t3.small");
  EXPECT_EQ(d.labels, (std::map<std::string, std::string>{{"app", "test"}}));
  ASSERT_EQ(d.containers.size(), 2u);
  const Container& nginx = d.containers[0];
  EXPECT_EQ(nginx.command, (std::vector<std::string>{"nginx", "-g", "daemon off;"}));
  ASSERT_EQ(nginx.env.size(), 3u);
  EXPECT_EQ(nginx.env[0].name, "NAME");
  EXPECT_EQ(nginx.env[0].value, "VALUE");
  EXPECT_EQ(nginx.env[1].value, "");
  EXPECT_EQ(nginx.env[2].value, "a=b");
  ASSERT_EQ(nginx.ports.size(), 3u);
  EXPECT_EQ(nginx.ports[0].container_port, 80);
  EXPECT_EQ(nginx.ports[0].listener->protocol, ListenerProtocol::kHttps);
  EXPECT_EQ(nginx.ports[0].listener->port, 443);
  EXPECT_EQ(nginx.ports[0].listener->instance_protocol, ListenerProtocol::kHttp);
  EXPECT_EQ(nginx.ports[2].container_port, 8080);
  EXPECT_EQ(d.containers[1].command, (std::vector<std::string>{"sleep", "3600"}));
}

TEST(I2kitFormatTest, DefaultsReplicasToOneAndFlagsToFalse) {
  LoadedManifest loaded = Read("name: a\ncontainers:\n  c:\n    image: busybox\n");
  ASSERT_TRUE(IsValid(loaded));
  const Deployment& d = loaded.manifest.deployments.at(0);
  EXPECT_EQ(d.replicas, 1);
  EXPECT_FALSE(d.is_public);
  EXPECT_FALSE(d.stateful);
  EXPECT_EQ(d.instance_type, "");
  EXPECT_EQ(d.termination_grace_period_seconds, 30);
}

TEST(I2kitFormatTest, ResolvesImagePathsAgainstTheManifestsDirectory) {
  LoadedManifest loaded;
  ReadManifestText(
      "name: a\ncontainers:\n  c: {image: 'oci:../images/web:v1'}\n  d: {image: "
      "'docker-archive:/abs/web.tar'}\n",
      "deploy/app/manifest.yml", loaded.manifest, loaded.diagnostics);
  ASSERT_TRUE(IsValid(loaded));
  EXPECT_EQ(loaded.manifest.deployments[0].containers[0].image.path, "deploy/images/web");
  EXPECT_EQ(loaded.manifest.deployments[0].containers[0].image.tag, "v1");
  EXPECT_EQ(loaded.manifest.deployments[0].containers[1].image.path, "/abs/web.tar");
}

TEST(I2kitFormatTest, ParsesPortForms) {
  Result<ContainerPort> cert =
      ParseI2kitPort("https:443:http:80:arn:aws:acm:us-east-1:123:certificate/x");
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(cert->listener->certificate, "arn:aws:acm:us-east-1:123:certificate/x");
  Result<ContainerPort> udp = ParseI2kitPort("udp:53:udp:5353");
  ASSERT_TRUE(udp.ok());
  EXPECT_EQ(udp->protocol, Protocol::kUdp);
  EXPECT_EQ(ParseI2kitPort("http:80:https:443").status().message(),
            "'http:80:https:443': a http load balancer cannot forward to https");
  EXPECT_EQ(ParseI2kitPort("http:80:http").status().message(), "'http:80:http' has 3 parts, not 4");
  EXPECT_EQ(ParseI2kitPort("ftp:21:tcp:21").status().message(),
            "'ftp:21:tcp:21': unknown load balancer protocol 'ftp'");
  EXPECT_EQ(ParseI2kitPort("http:0:http:80").status().message(),
            "'http:0:http:80': load balancer port '0' is not in 1-65535");
  EXPECT_EQ(ParseI2kitPort("tcp:1:tcp:70000").status().message(),
            "'tcp:1:tcp:70000': container port '70000' is not in 1-65535");
  EXPECT_EQ(ParseI2kitPort("http:80:http:80:arn").status().message(),
            "'http:80:http:80:arn': a certificate only applies to https and ssl listeners");
  EXPECT_FALSE(ParseI2kitPort("0").ok());
  EXPECT_FALSE(ParseI2kitPort("65536").ok());
}

TEST(I2kitFormatTest, ReportsEveryErrorWithItsLocation) {
  LoadedManifest loaded = Read(R"(name: Bad_Name
replicas: -1
public: maybe
instance_type: large
containers:
  web:
    image: "Nginx:latest"
    ports:
      - http:80:https:80
      - 70000
    environment:
      - NOEQUALS
    command: "echo 'unterminated"
)");
  EXPECT_TRUE(HasError(loaded, 1, 7, "name: 'Bad_Name' is not a valid name"));
  EXPECT_TRUE(HasError(loaded, 2, 11, "replicas: -1 is out of range (an integer from 0 to 1000)"));
  EXPECT_TRUE(HasError(loaded, 3, 9, "public: got 'maybe' (true or false)"));
  EXPECT_TRUE(HasError(loaded, 4, 16, "instance_type: 'large' is not an EC2 instance type"));
  EXPECT_TRUE(
      HasError(loaded, 7, 12, "containers.web.image: invalid image reference 'Nginx:latest'"));
  EXPECT_TRUE(HasError(
      loaded, 9, 9,
      "containers.web.ports[0]: 'http:80:https:80': a http load balancer cannot forward to https"));
  EXPECT_TRUE(HasError(loaded, 10, 9, "containers.web.ports[1]"));
  EXPECT_TRUE(HasError(loaded, 12, 9,
                       "containers.web.environment[0]: 'NOEQUALS': it has no '=' (NAME=VALUE)"));
  EXPECT_TRUE(HasError(loaded, 13, 14, "containers.web.command: unterminated single quote"));
  EXPECT_EQ(loaded.diagnostics.error_count(), 9);
  EXPECT_TRUE(loaded.manifest.deployments.empty());
}

TEST(I2kitFormatTest, RequiresNameContainersAndImage) {
  LoadedManifest loaded = Read("replicas: 1\ncontainers:\n  web:\n    command: x\n");
  EXPECT_TRUE(HasError(loaded, 1, 1, "name: missing (the deployment's name)"));
  EXPECT_TRUE(HasError(loaded, 4, 5, "containers.web.image: missing"));
  EXPECT_TRUE(HasError(Read("name: a\n"), 1, 1, "containers: missing"));
  EXPECT_TRUE(HasError(Read("name: a\ncontainers: {}\n"), 2, 13, "containers: is empty"));
  EXPECT_TRUE(HasError(Read("name: a\ncontainers: [x]\n"), 2, 13,
                       "containers: got a list (a mapping of container name to"));
}

TEST(I2kitFormatTest, RejectsPortClashesInOnePod) {
  LoadedManifest loaded = Read(R"(name: a
containers:
  one:
    image: busybox
    ports: [80]
  two:
    image: busybox
    ports: ["tcp:8080:tcp:80", "http:80:http:81"]
)");
  EXPECT_TRUE(HasError(loaded, 8, 13,
                       "port 80/TCP is already used by container 'one' (a port once per Pod"));
  EXPECT_TRUE(HasError(loaded, 8, 32, "load balancer port 80 is already used by container 'one'"));
}

TEST(I2kitFormatTest, RejectsDuplicateContainerNames) {
  LoadedManifest loaded =
      Read("name: a\ncontainers:\n  web:\n    image: x\n  web:\n    image: y\n");
  EXPECT_TRUE(HasError(loaded, 5, 3, "containers.web: duplicate key"));
}

TEST(I2kitFormatTest, StatefulDeploymentsHaveOneReplica) {
  LoadedManifest loaded =
      Read("name: db\nstateful: true\nreplicas: 2\ncontainers:\n  db:\n    image: redis\n");
  EXPECT_TRUE(HasError(loaded, 3, 11, "replicas: a stateful deployment runs one instance, not 2"));
}

TEST(I2kitFormatTest, ReadsAPersistentVolumeAndMakesTheDeploymentStateful) {
  LoadedManifest loaded = Read(
      "name: db\ncontainers:\n  db:\n    image: redis\n    volumes: [data:1Gi:/data]\n"
      "  backup:\n    image: busybox\n    volumes: ['data:1Gi:/backup/source']\n");
  ASSERT_TRUE(IsValid(loaded));
  const Deployment& d = loaded.manifest.deployments.at(0);
  ASSERT_EQ(d.volumes.size(), 1u);  // one disk, shared by both containers
  EXPECT_EQ(d.volumes[0].type, VolumeType::kPersistent);
  EXPECT_EQ(d.volumes[0].name, "data");
  EXPECT_EQ(d.volumes[0].claim_name, "data");
  EXPECT_EQ(d.volumes[0].size_bytes, int64_t{1} << 30);
  ASSERT_EQ(d.containers[0].volume_mounts.size(), 1u);
  EXPECT_EQ(d.containers[0].volume_mounts[0].mount_path, "/data");
  EXPECT_EQ(d.containers[1].volume_mounts[0].mount_path, "/backup/source");
  EXPECT_TRUE(d.stateful);
  EXPECT_EQ(d.strategy.type, StrategyType::kRecreate);
}

TEST(I2kitFormatTest, RefusesSeveralReplicasOfAPersistentVolume) {
  LoadedManifest loaded = Read(
      "name: db\nreplicas: 2\ncontainers:\n  db:\n    image: redis\n"
      "    volumes: [data:1Gi:/data]\n");
  EXPECT_TRUE(HasError(loaded, 2, 11,
                       "replicas: 2 VMs cannot share a persistent volume: a disk is attached to "
                       "one VM at a time"));
}

TEST(I2kitFormatTest, ReportsMalformedVolumes) {
  auto read = [](const std::string& entry) {
    return Read("name: db\ncontainers:\n  db:\n    image: redis\n    volumes: ['" + entry + "']\n");
  };
  EXPECT_TRUE(HasError(read("data:/data"), 5, 15, "'data:/data' is not NAME:SIZE:PATH"));
  EXPECT_TRUE(HasError(read("Data:1Gi:/data"), 5, 15, "volume name 'Data'"));
  EXPECT_TRUE(HasError(read("data:lots:/data"), 5, 15, "size:"));
  EXPECT_TRUE(HasError(read("data:1Ki:/data"), 5, 15, "size is below 1Mi"));
  EXPECT_TRUE(HasError(read("data:1Gi:data"), 5, 15, "is not an absolute path"));
  LoadedManifest clash = Read(
      "name: db\ncontainers:\n  a:\n    image: x\n    volumes: [d:1Gi:/d]\n"
      "  b:\n    image: x\n    volumes: [d:2Gi:/d]\n");
  EXPECT_TRUE(HasError(clash, 8, 15, "volume 'd' has another size elsewhere"));
}

TEST(I2kitFormatTest, WarnsAboutShellOperatorsInCommands) {
  LoadedManifest loaded = Read("name: a\ncontainers:\n  c:\n    image: x\n    command: a && b\n");
  EXPECT_TRUE(IsValid(loaded));
  EXPECT_TRUE(HasWarning(loaded, 5, 14, "'&&' is passed to the program literally"));
}

TEST(I2kitFormatTest, WarnsAboutUnknownFieldsWithSuggestions) {
  LoadedManifest loaded =
      Read("name: a\nreplica: 2\ncontainers:\n  c:\n    image: x\n    ports: [80]\n    port: 1\n");
  EXPECT_TRUE(IsValid(loaded));
  EXPECT_TRUE(HasWarning(loaded, 2, 1, "replica: unknown field (did you mean 'replicas'?)"));
  EXPECT_TRUE(HasWarning(loaded, 7, 5, "containers.c.port: unknown field (did you mean 'ports'?)"));
  LoadedManifest strict = Read("name: a\nreplica: 2\ncontainers:\n  c:\n    image: x\n", true);
  EXPECT_TRUE(HasError(strict, 2, 1, "replica: unknown field"));
}

}  // namespace
}  // namespace i2kit
