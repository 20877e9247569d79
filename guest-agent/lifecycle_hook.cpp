#include "guest-agent/lifecycle_hook.h"

namespace i2kit {

Probe HookHttpProbe(const LifecycleHook& hook, int timeout_seconds) {
  Probe probe;
  probe.action = ProbeAction::kHttpGet;
  probe.port = hook.port;
  probe.host = hook.host;
  probe.path = hook.path;
  probe.scheme = hook.scheme;
  probe.http_headers = hook.http_headers;
  probe.timeout_seconds = timeout_seconds;
  return probe;
}

}  // namespace i2kit
