#include "local-cluster/rollout_plan.h"

#include <algorithm>

namespace i2kit {

RolloutActions PlanRollout(const RolloutSpec& spec, const std::vector<ReplicaView>& replicas) {
  RolloutActions actions;
  std::vector<const ReplicaView*> old_unready, old_ready, new_unready, new_ready;
  int leaving = 0;
  for (const ReplicaView& r : replicas) {
    if (r.leaving) {
      ++leaving;
      continue;
    }
    auto& bucket =
        r.current ? (r.ready ? new_ready : new_unready) : (r.ready ? old_ready : old_unready);
    bucket.push_back(&r);
  }
  const int n = spec.replicas;
  const int old_count = static_cast<int>(old_ready.size() + old_unready.size());
  const int new_count = static_cast<int>(new_ready.size() + new_unready.size());
  const int total = old_count + new_count;
  const int available = static_cast<int>(old_ready.size() + new_ready.size());

  if (spec.recreate) {
    // Old replicas all go first; new ones start once nothing old is left, leaving ones included.
    if (old_count > 0) {
      for (const auto* r : old_unready) actions.retire.push_back(r->id);
      for (const auto* r : old_ready) actions.retire.push_back(r->id);
      return actions;
    }
    if (leaving > 0 && new_count == 0) return actions;
  }

  // Scale up the new image within the surge: never more than N + maxSurge replicas at once.
  const int max_total = n + (spec.recreate ? 0 : spec.max_surge);
  actions.start = std::max(0, std::min(n - new_count, max_total - total));

  if (new_count > n) {
    // More current replicas than wanted (N was lowered): the unready ones go first.
    int extra = new_count - n;
    for (const auto* list : {&new_unready, &new_ready}) {
      for (auto it = list->rbegin(); it != list->rend() && extra > 0; ++it, --extra) {
        actions.retire.push_back((*it)->id);
      }
    }
  }

  if (old_count > 0) {
    // Kubernetes' scale-down budget: the replicas above the minimum available, less the new
    // ones not yet available (they may never be). Old unready replicas serve nobody and go first.
    const int min_available = n - spec.max_unavailable;
    const int new_unavailable = static_cast<int>(new_unready.size());
    int budget = total - min_available - new_unavailable;
    for (const auto* r : old_unready) {
      if (budget <= 0) break;
      actions.retire.push_back(r->id);
      --budget;
    }
    int available_after = available;
    for (const auto* r : old_ready) {
      if (budget <= 0 || available_after - 1 < min_available) break;
      actions.retire.push_back(r->id);
      --budget;
      --available_after;
    }
  }

  actions.complete =
      old_count == 0 && leaving == 0 && new_count == n && static_cast<int>(new_ready.size()) == n;
  return actions;
}

}  // namespace i2kit
