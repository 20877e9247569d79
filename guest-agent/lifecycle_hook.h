// Lifecycle hooks (postStart, preStop) run the way probes do: exec through the container
// runtime, httpGet in a child under the probe identity (probe_check.h), sleep as a timer in the
// supervisor. This is the httpGet hook as the probe it is run as.
#pragma once

#include "common/pod_model.h"

namespace i2kit {

// The httpGet probe that makes `hook`'s request, answering within `timeout_seconds`. Success
// as the kubelet's: a status from 200 to 399 (HTTPS: the connection, as the HTTP probes).
Probe HookHttpProbe(const LifecycleHook& hook, int timeout_seconds);

}  // namespace i2kit
