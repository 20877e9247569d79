// What the controller does next to bring a deployment's replicas to N of the target image, as
// a Kubernetes Deployment controller would: a pure function of the replicas it sees. Rolling
// updates respect maxSurge (replicas above N) and maxUnavailable (ready replicas below N) with
// Kubernetes' arithmetic; Recreate retires every old replica before starting a new one. The
// same rules replace replicas that died or were retired as broken (self-healing).
#pragma once

#include <vector>

namespace i2kit {

struct RolloutSpec {
  int replicas = 1;         // N
  int max_surge = 1;        // resolved count (common/pod_model.h ResolveRollout)
  int max_unavailable = 0;  // resolved count
  bool recreate = false;    // strategy Recreate: all old go before any new starts
};

struct ReplicaView {
  int id = 0;
  bool current = false;  // runs the target image
  bool ready = false;    // in service (the load balancer sends it traffic)
  bool leaving = false;  // draining or stopping: no longer counted
};

struct RolloutActions {
  int start = 0;            // new replicas of the target image to start
  std::vector<int> retire;  // replicas to drain and stop, in this order
  bool complete = false;    // N current replicas, all ready, nothing else running
};

RolloutActions PlanRollout(const RolloutSpec& spec, const std::vector<ReplicaView>& replicas);

}  // namespace i2kit
