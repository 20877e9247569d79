// The local stand-in for an Auto Scaling Group behind a load balancer: one controller per
// deployment keeps N replica VMs of the target image running, balances each of the Pod's TCP
// ports over the replicas in service (tcp_balancer.h, judged by target_health.h), replaces a
// replica that dies, hangs or stays unhealthy with a fresh VM (never repairing it), and rolls
// out a new image by the Deployment's strategy (rollout_plan.h), rolling back when the new
// replicas are not ready within the progress deadline.
//
// It runs in the foreground `run`, or as the process a detached `run` forks, and serves its
// control socket (control_channel.h) to later `run` (update) and `down` commands. Its state is
// the state dir: a controller that crashed leaves its VMs running, and the next one adopts them.
#pragma once

#include <chrono>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "common/event_log.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "common/vm_artifacts.h"
#include "local-cluster/controller_files.h"
#include "local-cluster/signal_watch.h"
#include "local-cluster/target_health.h"
#include "local-vm/port_mapping.h"
#include "local-vm/qemu_command.h"
#include "local-vm/state_dir.h"

namespace i2kit {

struct ControllerSettings {
  QemuOptions qemu;  // accelerator, kernel and memory overrides; ports are set per replica
  std::vector<PublishedPort> publish;  // TCP ports on 127.0.0.1, balanced over the replicas
  HealthCheckSettings health;
  // ELB's deregistration delay (300 s by default), shortened: local requests are short.
  std::chrono::milliseconds drain_timeout{15000};
  // A replica that was ready and whose agent has not answered at all for this long is hung.
  std::chrono::milliseconds silent_limit{10000};
  // A replica that was ready and has answered "not ready" for this long is unhealthy.
  std::chrono::milliseconds unhealthy_limit{20000};
  // For the first rollout: 0 takes the manifest's progressDeadlineSeconds.
  int timeout_seconds = 0;
  bool stream_consoles = false;  // foreground: each replica's console, prefixed, to `out`
  bool cold_boot = false;  // `run --cold`: every replica boots; no warm-start snapshot is used
};

class DeploymentController {
 public:
  // Takes the controller lock (failing if another controller runs the deployment), listens on
  // the control socket and the balancers' ports, and adopts the deployment's running VMs.
  // Events go to `log`; with stream_consoles, consoles go to `out`.
  static Result<std::unique_ptr<DeploymentController>> Start(const StateDir& state,
                                                             ControllerSettings settings,
                                                             VmArtifacts target,
                                                             std::string artifacts_dir,
                                                             EventLog& log, std::ostream& out);
  ~DeploymentController();

  // Who waits for the first rollout (a detaching `run`): it gets its events and its result.
  void AttachInitialWaiter(UniqueFd fd);

  // Runs until a signal or `down` stops it, then stops every VM; returns once none is left.
  void Run(SignalWatch& signals);

  struct Impl;

 private:
  explicit DeploymentController(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace i2kit
