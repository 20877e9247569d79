// A Pod's data and lifecycle: volumes and mounts, valueFrom and envFrom, init containers and
// sidecars, lifecycle hooks, gRPC probes, pod-level groups; and NodePort Services.
#include <gtest/gtest.h>

#include "common/manifest_test_util.h"

namespace i2kit {
namespace {

using testing::HasError;
using testing::HasWarning;
using testing::IsValid;
using testing::Read;

// A Deployment whose Pod spec is `pod` (indented by six spaces); line 9 is its first line.
std::string Pod(const std::string& pod) {
  return "apiVersion: apps/v1\n"                    // 1
         "kind: Deployment\n"                       // 2
         "metadata: {name: web, namespace: ns}\n"   // 3
         "spec:\n"                                  // 4
         "  selector: {matchLabels: {app: web}}\n"  // 5
         "  template:\n"                            // 6
         "    metadata: {labels: {app: web}}\n"     // 7
         "    spec:\n"                              // 8
         + pod;
}

TEST(KubernetesPodDataTest, ReadsEveryVolumeKindAndMount) {
  LoadedManifest loaded = Read(Pod(R"(      volumes:
      - {name: scratch, emptyDir: {}}
      - {name: cache, emptyDir: {medium: Memory, sizeLimit: 4Mi}}
      - name: config
        configMap:
          name: cfg
          defaultMode: 0444
          optional: true
          items: [{key: app.properties, path: conf/app.properties, mode: 0440}]
      - {name: creds, secret: {secretName: creds, defaultMode: 256, optional: true}}
      - name: info
        downwardAPI:
          items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: app, fieldRef: {fieldPath: "metadata.labels['app']"}}
          - path: mem
            resourceFieldRef: {containerName: web, resource: limits.memory, divisor: 1Mi}
      - name: one
        projected: {sources: [{configMap: {name: cfg, optional: true}}], defaultMode: 0400}
      containers:
      - name: web
        image: busybox
        volumeMounts:
        - {name: scratch, mountPath: /scratch/}
        - {name: config, mountPath: /etc/app, readOnly: true}
        - {name: config, mountPath: /etc/one.txt, subPath: conf/app.properties}
)"));
  ASSERT_TRUE(IsValid(loaded));
  const Deployment& d = loaded.manifest.deployments.at(0);
  EXPECT_EQ(d.namespace_name, "ns");
  ASSERT_EQ(d.volumes.size(), 6u);
  EXPECT_EQ(d.volumes[0].type, VolumeType::kEmptyDir);
  EXPECT_FALSE(d.volumes[0].in_memory);
  EXPECT_TRUE(d.volumes[1].in_memory);
  EXPECT_EQ(d.volumes[1].size_limit_bytes, 4 << 20);
  EXPECT_EQ(d.volumes[2].type, VolumeType::kConfigMap);
  EXPECT_EQ(d.volumes[2].object_name, "cfg");
  EXPECT_EQ(d.volumes[2].default_mode, 0444);
  EXPECT_TRUE(d.volumes[2].optional);
  ASSERT_EQ(d.volumes[2].items.size(), 1u);
  EXPECT_EQ(d.volumes[2].items[0].key, "app.properties");
  EXPECT_EQ(d.volumes[2].items[0].path, "conf/app.properties");
  EXPECT_EQ(d.volumes[2].items[0].mode, 0440);
  EXPECT_EQ(d.volumes[3].type, VolumeType::kSecret);
  EXPECT_EQ(d.volumes[3].default_mode, 0400);  // 256 in decimal
  EXPECT_EQ(d.volumes[4].type, VolumeType::kDownwardApi);
  EXPECT_EQ(d.volumes[4].items[0].field.field_path, "metadata.labels");
  EXPECT_EQ(d.volumes[4].items[1].field.field_path, "metadata.labels['app']");
  EXPECT_EQ(d.volumes[4].items[2].field.resource, "limits.memory");
  EXPECT_EQ(d.volumes[4].items[2].field.container, "web");
  EXPECT_EQ(d.volumes[4].items[2].field.divisor, 1 << 20);
  EXPECT_EQ(d.volumes[5].type, VolumeType::kConfigMap);
  EXPECT_EQ(d.volumes[5].default_mode, 0400);
  const Container& c = d.containers.at(0);
  ASSERT_EQ(c.volume_mounts.size(), 3u);
  EXPECT_EQ(c.volume_mounts[0].mount_path, "/scratch");
  EXPECT_TRUE(c.volume_mounts[1].read_only);
  EXPECT_EQ(c.volume_mounts[2].sub_path, "conf/app.properties");
}

TEST(KubernetesPodDataTest, ReportsVolumeErrors) {
  LoadedManifest loaded = Read(Pod(R"(      volumes:
      - {name: host, hostPath: {path: /srv}}
      - {name: claim, persistentVolumeClaim: {claimName: data}}
      - {name: tmp, emptyDir: {medium: HugePages, sizeLimit: lots}}
      - {name: two, projected: {sources: [{configMap: {name: a}}, {secret: {name: b}}]}}
      - {name: info, downwardAPI: {items: [{path: ../x, resourceFieldRef: {resource: limits.cpu}}]}}
      - {name: nfs, nfs: {server: x, path: /}}
      containers:
      - name: web
        image: busybox
        volumeMounts:
        - {name: nowhere, mountPath: relative}
        - {name: host, mountPath: /a, subPath: ../up}
        - {name: host, mountPath: /a/, subPathExpr: $(POD)}
)"));
  EXPECT_TRUE(HasError(loaded, 10, 32,
                       "volumes[0].hostPath is not supported by i2kit: a Pod VM runs on no shared "
                       "host, so there is no host directory to share (emptyDir for scratch space"));
  // volumes[1], a persistentVolumeClaim, is read (kubernetes_volume_claim_test).
  EXPECT_FALSE(HasError(loaded, 11, 0, "persistentVolumeClaim"));
  EXPECT_TRUE(HasError(loaded, 12, 40,
                       "emptyDir.medium: 'HugePages' is not supported by i2kit: Pod VMs have no "
                       "huge pages"));
  EXPECT_TRUE(HasError(loaded, 12, 62, "emptyDir.sizeLimit: 'lots' is not a size"));
  EXPECT_TRUE(HasError(loaded, 13, 42,
                       "projected.sources is not supported by i2kit with 2 sources (one source "
                       "per projected volume"));
  EXPECT_TRUE(HasError(loaded, 14, 51,
                       "downwardAPI.items[0].path: '../x': it has a '..' component (a relative "
                       "path without '..')"));
  EXPECT_TRUE(HasError(loaded, 14, 75,
                       "resourceFieldRef.containerName: missing (the container whose resources "
                       "the file shows (Kubernetes requires it in volumes))"));
  EXPECT_TRUE(HasError(loaded, 15, 21, "volumes[5].nfs is not supported by i2kit"));
  EXPECT_TRUE(
      HasError(loaded, 20, 18, "volumeMounts[0].name: the Pod has no volume named 'nowhere'"));
  EXPECT_TRUE(
      HasError(loaded, 20, 38, "volumeMounts[0].mountPath: 'relative' is not an absolute path"));
  EXPECT_TRUE(
      HasError(loaded, 21, 48, "volumeMounts[1].subPath: '../up': it has a '..' component"));
  EXPECT_TRUE(HasError(loaded, 22, 35, "volumeMounts[2].mountPath: '/a/' is mounted twice"));
  EXPECT_TRUE(HasError(loaded, 22, 40, "volumeMounts[2].subPathExpr is not supported by i2kit"));
}

TEST(KubernetesPodDataTest, ReadsValueFromAndEnvFrom) {
  LoadedManifest loaded = Read(Pod(R"(      containers:
      - name: web
        image: busybox
        envFrom:
        - {configMapRef: {name: cfg, optional: true}, prefix: CFG_}
        - secretRef: {name: creds, optional: true}
        env:
        - {name: A, valueFrom: {configMapKeyRef: {name: cfg, key: a, optional: true}}}
        - {name: B, valueFrom: {secretKeyRef: {name: creds, key: b, optional: true}}}
        - {name: C, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
        - {name: D, valueFrom: {fieldRef: {fieldPath: status.podIPs}}}
        - {name: E, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
        - {name: F, valueFrom: {resourceFieldRef: {containerName: web, resource: requests.memory}}}
)"));
  ASSERT_TRUE(IsValid(loaded));
  const Container& c = loaded.manifest.deployments.at(0).containers.at(0);
  ASSERT_EQ(c.env_from.size(), 2u);
  EXPECT_FALSE(c.env_from[0].is_secret);
  EXPECT_EQ(c.env_from[0].prefix, "CFG_");
  EXPECT_TRUE(c.env_from[0].optional);
  EXPECT_TRUE(c.env_from[1].is_secret);
  EXPECT_EQ(c.env_from[1].object_name, "creds");
  ASSERT_EQ(c.env.size(), 6u);
  EXPECT_EQ(c.env[0].source, EnvSource::kConfigMapKey);
  EXPECT_EQ(c.env[0].key, "a");
  EXPECT_EQ(c.env[1].source, EnvSource::kSecretKey);
  EXPECT_EQ(c.env[1].object_name, "creds");
  EXPECT_EQ(c.env[2].field.field_path, "metadata.labels['app']");
  EXPECT_EQ(c.env[3].field.field_path, "status.podIP");  // one address: the list is that one
  EXPECT_EQ(c.env[4].field.resource, "limits.cpu");
  EXPECT_EQ(c.env[4].field.divisor, 1);  // millicores
  EXPECT_EQ(c.env[5].field.container, "web");
  EXPECT_EQ(c.env[5].field.divisor, 1);
}

TEST(KubernetesPodDataTest, ReportsEnvErrors) {
  LoadedManifest loaded = Read(Pod(R"(      containers:
      - name: web
        image: busybox
        env:
        - {name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: B, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
        - {name: C, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
        - {name: D, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 2}}}
        - {name: E, valueFrom: {resourceFieldRef: {containerName: other, resource: limits.cpu}}}
        - {name: F, valueFrom: {}}
)"));
  EXPECT_TRUE(HasError(loaded, 13, 42, "env[0].valueFrom: given with a value"));
  EXPECT_TRUE(HasError(loaded, 14, 55,
                       "fieldRef.fieldPath: 'status.hostIP' is not supported by i2kit: it names "
                       "the node, used to reach node agents (DaemonSets)"));
  EXPECT_TRUE(HasError(loaded, 15, 55, "'spec.nodeName' is not supported by i2kit"));
  EXPECT_TRUE(
      HasError(loaded, 16, 83, "resourceFieldRef.divisor: '2' is not a divisor of CPU (1m or 1)"));
  EXPECT_TRUE(HasError(loaded, 17, 67,
                       "resourceFieldRef.containerName: no container of the Pod is named 'other'"));
  EXPECT_TRUE(HasError(loaded, 18, 32,
                       "env[5].valueFrom: has 0 sources (exactly one of configMapKeyRef, "
                       "secretKeyRef, fieldRef, resourceFieldRef)"));
}

TEST(KubernetesPodDataTest, ReadsInitContainersSidecarsHooksGrpcAndGroups) {
  LoadedManifest loaded = Read(Pod(R"(      securityContext:
        fsGroup: 2000
        supplementalGroups: [3000, 3001]
        fsGroupChangePolicy: OnRootMismatch
      initContainers:
      - {name: prepare, image: busybox}
      - name: watcher
        image: busybox
        restartPolicy: Always
        readinessProbe: {exec: {command: [true]}}
      containers:
      - name: web
        image: busybox
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {grpc: {port: 7070, service: cart}}
        lifecycle:
          postStart: {httpGet: {path: /started, port: http}}
          preStop: {sleep: {seconds: 5}}
)"));
  ASSERT_TRUE(IsValid(loaded));
  const Deployment& d = loaded.manifest.deployments.at(0);
  EXPECT_EQ(d.pod_security.fs_group, 2000);
  EXPECT_EQ(d.pod_security.supplemental_groups, (std::vector<int64_t>{3000, 3001}));
  EXPECT_TRUE(d.pod_security.fs_group_on_root_mismatch);
  ASSERT_EQ(d.init_containers.size(), 2u);
  EXPECT_FALSE(d.init_containers[0].restart_always);
  EXPECT_TRUE(d.init_containers[1].restart_always);
  const Container& c = d.containers.at(0);
  EXPECT_EQ(c.readiness_probe->action, ProbeAction::kGrpc);
  EXPECT_EQ(c.readiness_probe->port, 7070);
  EXPECT_EQ(c.readiness_probe->grpc_service, "cart");
  EXPECT_EQ(c.lifecycle.post_start->action, HookAction::kHttpGet);
  EXPECT_EQ(c.lifecycle.post_start->port, 8080);
  EXPECT_EQ(c.lifecycle.post_start->path, "/started");
  EXPECT_EQ(c.lifecycle.pre_stop->action, HookAction::kSleep);
  EXPECT_EQ(c.lifecycle.pre_stop->sleep_seconds, 5);
}

TEST(KubernetesPodDataTest, ReportsInitContainerAndHookErrors) {
  LoadedManifest loaded = Read(Pod(R"(      initContainers:
      - name: prepare
        image: busybox
        restartPolicy: OnFailure
        livenessProbe: {exec: {command: [true]}}
        lifecycle: {preStop: {sleep: {seconds: 1}}}
      containers:
      - name: web
        image: busybox
        restartPolicy: Always
        lifecycle:
          preStop: {tcpSocket: {port: 80}}
      - {name: prepare, image: busybox}
)"));
  EXPECT_TRUE(HasError(loaded, 12, 24,
                       "initContainers[0].restartPolicy: 'OnFailure' is not a container policy"));
  EXPECT_TRUE(HasError(loaded, 13, 24,
                       "initContainers[0].livenessProbe: an init container runs to completion and "
                       "is not probed"));
  EXPECT_TRUE(HasError(loaded, 14, 20, "initContainers[0].lifecycle: an init container"));
  EXPECT_TRUE(HasError(loaded, 18, 9,
                       "containers[0].restartPolicy is not supported by i2kit: only init "
                       "containers take restartPolicy"));
  EXPECT_TRUE(HasError(loaded, 20, 21,
                       "lifecycle.preStop.tcpSocket is not supported by i2kit: a tcpSocket hook "
                       "is deprecated and the kubelet never runs it"));
  EXPECT_TRUE(HasError(loaded, 21, 16, "containers[1].name: 'prepare' is used twice in the Pod"));
}

TEST(KubernetesPodDataTest, NodePortServicesKeepTheirPortAndClaimItOnce) {
  std::string deployment = Pod(R"(      containers:
      - {name: web, image: busybox, ports: [{containerPort: 80}]}
---
)");
  auto service = [](const std::string& name, const std::string& type, const std::string& port) {
    return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\nspec:\n  type: " + type +
           "\n  selector: {app: web}\n  ports: [{port: 80, nodePort: " + port + "}]\n---\n";
  };
  LoadedManifest ok = Read(deployment + service("a", "NodePort", "30095"));
  ASSERT_TRUE(IsValid(ok));
  EXPECT_EQ(ok.manifest.services.at(0).type, ServiceType::kNodePort);
  EXPECT_EQ(ok.manifest.services.at(0).ports.at(0).node_port, 30095);
  LoadedManifest bad =
      Read(deployment + service("a", "NodePort", "30095") + service("b", "NodePort", "30095") +
           service("c", "NodePort", "80") + service("d", "ClusterIP", "30001"));
  EXPECT_TRUE(
      HasError(bad, 0, 0, "service 'b': nodePort 30095/TCP is already used by service 'a'"));
  EXPECT_TRUE(HasError(bad, 0, 0,
                       "spec.ports[0].nodePort: 80 is out of range (an integer from "
                       "30000 to 32767)"));
  EXPECT_TRUE(HasError(bad, 0, 0, "spec.ports[0].nodePort: given on a ClusterIP Service"));
}

}  // namespace
}  // namespace i2kit
