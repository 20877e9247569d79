// Kubernetes Deployments: every supported field, Kubernetes' defaults, and the fields i2kit
// refuses, each error asserted with its message and location.
#include <gtest/gtest.h>

#include "common/manifest_test_util.h"

namespace i2kit {
namespace {

using testing::HasError;
using testing::HasWarning;
using testing::IsValid;
using testing::Read;

// A minimal valid apps/v1 Deployment whose container has `container_extra` appended (each
// line indented by 8 spaces) and whose Pod spec has `pod_extra` (6 spaces).
std::string Deployment(const std::string& container_extra = "", const std::string& pod_extra = "") {
  return "apiVersion: apps/v1\n"          // 1
         "kind: Deployment\n"             // 2
         "metadata:\n"                    // 3
         "  name: web\n"                  // 4
         "spec:\n"                        // 5
         "  selector:\n"                  // 6
         "    matchLabels: {app: web}\n"  // 7
         "  template:\n"                  // 8
         "    metadata:\n"                // 9
         "      labels: {app: web}\n"     // 10
         "    spec:\n"                    // 11
         + pod_extra +
         "      containers:\n"       // 12 (+ pod_extra lines)
         "      - name: web\n"       // 13
         "        image: busybox\n"  // 14
         + container_extra;
}

const Container& OnlyContainer(const LoadedManifest& loaded) {
  static const Container kEmpty;
  if (loaded.manifest.deployments.size() != 1 ||
      loaded.manifest.deployments[0].containers.size() != 1) {
    ADD_FAILURE() << testing::AllDiagnostics(loaded.diagnostics);
    return kEmpty;
  }
  return loaded.manifest.deployments[0].containers[0];
}

TEST(KubernetesDeploymentTest, ReadsThePapersFigure2) {
  LoadedManifest loaded = Read(testing::ReadExample("paper-fig2-deployment.yml"));
  ASSERT_TRUE(IsValid(loaded));
  const i2kit::Deployment& d = loaded.manifest.deployments.at(0);
  EXPECT_EQ(d.name, "nginx-deployment");
  EXPECT_EQ(d.replicas, 3);
  // extensions/v1beta1 defaults: the selector comes from the template, surge and
  // unavailability are one replica each.
  EXPECT_EQ(d.selector, (std::map<std::string, std::string>{{"app", "nginx"}}));
  EXPECT_EQ(d.strategy.max_surge, (IntOrPercent{1, false}));
  EXPECT_EQ(d.strategy.max_unavailable, (IntOrPercent{1, false}));
  EXPECT_EQ(d.containers.at(0).ports.at(0).container_port, 80);
  EXPECT_FALSE(d.containers.at(0).ports.at(0).listener.has_value());
}

TEST(KubernetesDeploymentTest, AppliesAppsV1Defaults) {
  LoadedManifest loaded = Read(Deployment());
  ASSERT_TRUE(IsValid(loaded));
  const i2kit::Deployment& d = loaded.manifest.deployments.at(0);
  EXPECT_EQ(d.replicas, 1);
  EXPECT_EQ(d.strategy.type, StrategyType::kRollingUpdate);
  EXPECT_EQ(d.strategy.max_surge, (IntOrPercent{25, true}));
  EXPECT_EQ(d.strategy.max_unavailable, (IntOrPercent{25, true}));
  EXPECT_EQ(d.termination_grace_period_seconds, 30);
  EXPECT_EQ(d.progress_deadline_seconds, 600);
  const Container& c = d.containers.at(0);
  EXPECT_EQ(c.pull_policy, PullPolicy::kAlways);  // untagged means :latest, pulled every time
  EXPECT_EQ(c.security_context.seccomp_profile.type, SeccompProfileType::kRuntimeDefault);
  EXPECT_FALSE(c.security_context.allow_privilege_escalation.has_value());
}

TEST(KubernetesDeploymentTest, ReadsEveryDeploymentField) {
  LoadedManifest loaded = Read(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: default
  labels: {team: core}
  annotations: {note: anything}
spec:
  replicas: 4
  minReadySeconds: 5
  progressDeadlineSeconds: 120
  selector:
    matchLabels: {app: api}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 2, maxUnavailable: 50%}
  template:
    metadata:
      labels: {app: api, version: v2}
    spec:
      terminationGracePeriodSeconds: 5
      restartPolicy: Always
      containers:
      - name: api
        image: registry.example.com/api:v2
)");
  ASSERT_TRUE(IsValid(loaded));
  const i2kit::Deployment& d = loaded.manifest.deployments.at(0);
  EXPECT_EQ(d.name, "api");
  EXPECT_EQ(d.replicas, 4);
  EXPECT_EQ(d.min_ready_seconds, 5);
  EXPECT_EQ(d.progress_deadline_seconds, 120);
  EXPECT_EQ(d.labels, (std::map<std::string, std::string>{{"app", "api"}, {"version", "v2"}}));
  EXPECT_EQ(d.strategy.max_surge, (IntOrPercent{2, false}));
  EXPECT_EQ(d.strategy.max_unavailable, (IntOrPercent{50, true}));
  EXPECT_EQ(d.termination_grace_period_seconds, 5);
  EXPECT_EQ(ResolveSurge(d.strategy.max_surge, 4), 2);
  EXPECT_EQ(ResolveUnavailable(d.strategy.max_unavailable, 3), 1);
  EXPECT_EQ(d.containers.at(0).pull_policy, PullPolicy::kIfNotPresent);
}

TEST(KubernetesDeploymentTest, ReadsEveryContainerField) {
  LoadedManifest loaded = Read(Deployment(R"(        imagePullPolicy: Never
        command: [/bin/server]
        args: ["--port", "8080"]
        workingDir: /srv
        env:
        - {name: MODE, value: prod}
        - {name: EMPTY}
        ports:
        - {name: http, containerPort: 8080}
        - {containerPort: 53, protocol: UDP}
        resources:
          requests: {cpu: 250m, memory: 64Mi}
          limits: {cpu: "1", memory: 1G}
)"));
  const Container& c = OnlyContainer(loaded);
  EXPECT_EQ(c.pull_policy, PullPolicy::kNever);
  EXPECT_EQ(c.command, (std::vector<std::string>{"/bin/server"}));
  EXPECT_EQ(c.args, (std::vector<std::string>{"--port", "8080"}));
  EXPECT_EQ(c.working_dir, "/srv");
  ASSERT_EQ(c.env.size(), 2u);
  EXPECT_EQ(c.env[0].value, "prod");
  EXPECT_EQ(c.env[1].value, "");
  ASSERT_EQ(c.ports.size(), 2u);
  EXPECT_EQ(c.ports[0].name, "http");
  EXPECT_EQ(c.ports[1].protocol, Protocol::kUdp);
  EXPECT_EQ(c.resources.requests.cpu_millis, 250);
  EXPECT_EQ(c.resources.requests.memory_bytes, 64 << 20);
  EXPECT_EQ(c.resources.limits.cpu_millis, 1000);
  EXPECT_EQ(c.resources.limits.memory_bytes, 1000000000);
}

TEST(KubernetesDeploymentTest, LimitsAloneSetTheRequests) {
  LoadedManifest loaded =
      Read(Deployment("        resources:\n          limits: {cpu: 500m, memory: 32Mi}\n"));
  const Container& c = OnlyContainer(loaded);
  EXPECT_EQ(c.resources.requests.cpu_millis, 500);
  EXPECT_EQ(c.resources.requests.memory_bytes, 32 << 20);
}

TEST(KubernetesDeploymentTest, ReadsProbesWithKubernetesDefaults) {
  LoadedManifest loaded = Read(Deployment(R"(        ports: [{name: http, containerPort: 8080}]
        livenessProbe:
          httpGet: {path: /healthz, port: http, scheme: HTTP, httpHeaders: [{name: X-Probe, value: "1"}]}
        readinessProbe:
          tcpSocket: {port: 8080}
          initialDelaySeconds: 2
          timeoutSeconds: 3
          periodSeconds: 4
          successThreshold: 2
          failureThreshold: 5
        startupProbe:
          exec: {command: [cat, /tmp/ready]}
          periodSeconds: 0
)"));
  const Container& c = OnlyContainer(loaded);
  ASSERT_TRUE(c.liveness_probe && c.readiness_probe && c.startup_probe);
  EXPECT_EQ(c.liveness_probe->action, ProbeAction::kHttpGet);
  EXPECT_EQ(c.liveness_probe->port, 8080);  // the named port, resolved
  EXPECT_EQ(c.liveness_probe->path, "/healthz");
  EXPECT_EQ(c.liveness_probe->http_headers.at(0).name, "X-Probe");
  EXPECT_EQ(c.liveness_probe->initial_delay_seconds, 0);
  EXPECT_EQ(c.liveness_probe->timeout_seconds, 1);
  EXPECT_EQ(c.liveness_probe->period_seconds, 10);
  EXPECT_EQ(c.liveness_probe->success_threshold, 1);
  EXPECT_EQ(c.liveness_probe->failure_threshold, 3);
  EXPECT_EQ(c.readiness_probe->action, ProbeAction::kTcpSocket);
  EXPECT_EQ(c.readiness_probe->initial_delay_seconds, 2);
  EXPECT_EQ(c.readiness_probe->timeout_seconds, 3);
  EXPECT_EQ(c.readiness_probe->period_seconds, 4);
  EXPECT_EQ(c.readiness_probe->success_threshold, 2);
  EXPECT_EQ(c.readiness_probe->failure_threshold, 5);
  EXPECT_EQ(c.startup_probe->command, (std::vector<std::string>{"cat", "/tmp/ready"}));
  EXPECT_EQ(c.startup_probe->period_seconds, 10);  // 0 means "default", as in Kubernetes
}

TEST(KubernetesDeploymentTest, ReportsProbeErrors) {
  LoadedManifest loaded = Read(Deployment(R"(        livenessProbe:
          httpGet: {port: metrics, path: healthz}
          successThreshold: 2
        readinessProbe:
          periodSeconds: 1
        startupProbe:
          grpc: {port: metrics}
)"));
  EXPECT_TRUE(HasError(loaded, 16, 27,
                       "livenessProbe.httpGet.port: no port of this container is named 'metrics'"));
  EXPECT_TRUE(
      HasError(loaded, 16, 42, "livenessProbe.httpGet.path: 'healthz' is not an absolute path"));
  EXPECT_TRUE(HasError(
      loaded, 17, 29, "livenessProbe.successThreshold: must be 1 for liveness and startup probes"));
  EXPECT_TRUE(HasError(
      loaded, 19, 11,
      "readinessProbe: has 0 probe actions (exactly one of exec, httpGet, tcpSocket, grpc)"));
  // Kubernetes takes only a number for a gRPC probe's port.
  EXPECT_TRUE(HasError(loaded, 21, 24, "startupProbe.grpc.port: 'metrics' is not an integer"));
}

TEST(KubernetesDeploymentTest, ReadsSecurityContextsAndInheritsThePods) {
  LoadedManifest loaded = Read(Deployment(R"(        securityContext:
          runAsUser: 1000
          readOnlyRootFilesystem: true
          allowPrivilegeEscalation: true
          capabilities: {add: [CAP_NET_ADMIN, chown], drop: [ALL]}
          seccompProfile: {type: Localhost, localhostProfile: profiles/web.json}
)",
                                          R"(      securityContext:
        runAsUser: 10
        runAsGroup: 20
        runAsNonRoot: true
)"));
  const Container& c = OnlyContainer(loaded);
  const SecurityContext& sc = c.security_context;
  EXPECT_EQ(sc.run_as_user, 1000);  // the container's own wins
  EXPECT_EQ(sc.run_as_group, 20);   // inherited from the Pod
  EXPECT_EQ(sc.run_as_non_root, true);
  EXPECT_TRUE(sc.read_only_root_filesystem);
  EXPECT_EQ(sc.allow_privilege_escalation, true);
  EXPECT_EQ(sc.capabilities_add, (std::vector<std::string>{"NET_ADMIN", "CHOWN"}));
  EXPECT_EQ(sc.capabilities_drop, (std::vector<std::string>{"ALL"}));
  EXPECT_EQ(sc.seccomp_profile.type, SeccompProfileType::kLocalhost);
  EXPECT_EQ(sc.seccomp_profile.localhost_profile, "profiles/web.json");
}

TEST(KubernetesDeploymentTest, ReportsSecurityContextErrors) {
  LoadedManifest loaded = Read(Deployment(R"(        securityContext:
          privileged: true
          runAsNonRoot: true
          runAsUser: 0
          capabilities: {add: [NET_BIND]}
          seccompProfile: {type: Strict}
)"));
  EXPECT_TRUE(
      HasError(loaded, 16, 11,
               "securityContext.privileged is not supported by i2kit: a privileged container"));
  EXPECT_TRUE(HasError(loaded, 16, 11, "securityContext: runAsNonRoot is true but runAsUser is 0"));
  EXPECT_TRUE(HasError(loaded, 19, 32, "capabilities.add[0]: unknown capability 'NET_BIND'"));
  EXPECT_TRUE(HasError(loaded, 20, 34, "seccompProfile.type: unknown profile type 'Strict'"));
}

TEST(KubernetesDeploymentTest, RejectsWhatI2kitCannotDo) {
  LoadedManifest loaded = Read(Deployment(R"(        volumeMounts: [{name: data, mountPath: /data}]
        env:
        - name: SECRET
          valueFrom: {secretKeyRef: {name: s, key: k}}
)",
                                          R"(      volumes: [{name: data, hostPath: {path: /srv}}]
      hostNetwork: true
)"));
  EXPECT_TRUE(HasError(loaded, 12, 40,
                       "spec.template.spec.volumes[0].hostPath is not supported by i2kit: a Pod "
                       "VM runs on no shared host, so there is no host directory to share"));
  EXPECT_TRUE(HasError(loaded, 13, 7, "spec.template.spec.hostNetwork is not supported by i2kit"));
  EXPECT_TRUE(loaded.manifest.deployments.empty());
}

TEST(KubernetesDeploymentTest, RejectsOtherKinds) {
  for (const char* kind : {"DaemonSet", "Job", "Pod"}) {
    LoadedManifest loaded =
        Read(std::string("apiVersion: apps/v1\nkind: ") + kind + "\nmetadata: {name: x}\n");
    EXPECT_TRUE(HasError(loaded, 2, 7, std::string("kind: ") + kind + " is not supported by i2kit"))
        << kind;
  }
  EXPECT_TRUE(HasError(Read("apiVersion: apps/v2\nkind: Deployment\n"), 1, 13,
                       "apiVersion: 'apps/v2' is not a Deployment API version"));
}

TEST(KubernetesDeploymentTest, SelectorMustMatchTemplateLabels) {
  std::string yaml = Deployment();
  yaml.replace(yaml.find("matchLabels: {app: web}"), 23, "matchLabels: {app: api}");
  EXPECT_TRUE(HasError(Read(yaml), 10, 7,
                       "spec.template.metadata.labels: do not match spec.selector.matchLabels"));
  std::string no_selector = Deployment();
  no_selector.erase(no_selector.find("  selector:\n"), 12 + 28);
  EXPECT_TRUE(HasError(Read(no_selector), 6, 3, "spec.selector: missing"));
}

TEST(KubernetesDeploymentTest, ReportsFieldErrorsWithLocations) {
  std::string yaml = Deployment(R"(        ports:
        - containerPort: "80"
        - containerPort: 70000
        - {containerPort: 81, name: HTTP}
        resources:
          requests: {cpu: lots, memory: 2Gi}
          limits: {memory: 1Gi}
        workingDir: relative
        imagePullPolicy: Sometimes
)");
  yaml.replace(yaml.find("  name: web"), 11, "  name: Web");
  LoadedManifest loaded = Read(yaml);
  EXPECT_TRUE(HasError(loaded, 4, 9, "metadata.name: 'Web' is not a valid name"));
  EXPECT_TRUE(
      HasError(loaded, 16, 26, "containerPort: got a quoted string (an integer from 1 to 65535)"));
  EXPECT_TRUE(HasError(loaded, 17, 26, "containerPort: 70000 is out of range"));
  EXPECT_TRUE(HasError(loaded, 18, 37, "name: 'HTTP' is not a valid port name"));
  EXPECT_TRUE(HasError(loaded, 20, 27, "resources.requests.cpu: invalid quantity 'lots'"));
  EXPECT_TRUE(HasError(loaded, 20, 11, "resources.requests.memory: is above limits.memory"));
  EXPECT_TRUE(HasError(loaded, 22, 21, "workingDir: 'relative' is not an absolute path"));
  EXPECT_TRUE(HasError(loaded, 23, 26, "imagePullPolicy: unknown policy 'Sometimes'"));
}

TEST(KubernetesDeploymentTest, RejectsPortClashesAndDuplicateNames) {
  LoadedManifest loaded = Read(Deployment(R"(        ports: [{containerPort: 80}]
      - name: web
        image: nginx
        ports: [{containerPort: 80}]
)"));
  EXPECT_TRUE(HasError(loaded, 18, 17, "port 80/TCP is already used by container 'web'"));
  EXPECT_TRUE(HasError(loaded, 16, 15, "containers[1].name: 'web' is used twice"));
}

TEST(KubernetesDeploymentTest, RejectsAContainerNamedLikeTheAgent) {
  std::string yaml = Deployment();
  yaml.replace(yaml.find("- name: web"), 11, "- name: i2kit-agent");
  LoadedManifest loaded = Read(yaml);
  EXPECT_NE(testing::AllDiagnostics(loaded.diagnostics)
                .find("container 'i2kit-agent': names starting with i2kit- are the agent's"),
            std::string::npos)
      << testing::AllDiagnostics(loaded.diagnostics);
}

TEST(KubernetesDeploymentTest, ChecksStrategy) {
  std::string yaml = Deployment();
  yaml.insert(yaml.find("  template:"),
              "  strategy:\n    type: Recreate\n    rollingUpdate: {maxSurge: 0, maxUnavailable: "
              "\"200%\"}\n");
  LoadedManifest loaded = Read(yaml);
  EXPECT_TRUE(HasError(loaded, 10, 20, "spec.strategy.rollingUpdate: given with type Recreate"));
  EXPECT_TRUE(HasError(loaded, 10, 50, "maxUnavailable: 200% is above 100%"));
  std::string zero = Deployment();
  zero.insert(zero.find("  template:"),
              "  strategy:\n    rollingUpdate: {maxSurge: 0, maxUnavailable: 0}\n");
  EXPECT_TRUE(HasError(Read(zero), 9, 20, "maxSurge and maxUnavailable are both 0"));
}

TEST(KubernetesDeploymentTest, WarnsAboutIgnoredAndUnknownFields) {
  LoadedManifest loaded = Read(Deployment(
      "        terminationMessagePath: /dev/termination-log\n        imagePulPolicy: Always\n",
      "      nodeSelector: {disk: ssd}\n"));
  EXPECT_TRUE(IsValid(loaded));
  EXPECT_TRUE(HasWarning(loaded, 12, 7,
                         "spec.template.spec.nodeSelector is ignored: each Pod is its own VM"));
  EXPECT_TRUE(HasWarning(loaded, 16, 9, "terminationMessagePath is ignored"));
  EXPECT_TRUE(
      HasWarning(loaded, 17, 9, "imagePulPolicy: unknown field (did you mean 'imagePullPolicy'?)"));
}

TEST(KubernetesDeploymentTest, AcceptsAppsV1beta2) {
  std::string yaml = Deployment();
  yaml.replace(0, 19, "apiVersion: apps/v1beta2");
  EXPECT_TRUE(IsValid(Read(yaml)));
}

}  // namespace
}  // namespace i2kit
