// i2kit-agent: PID 1 of every Pod VM. As PID 1 it first makes the VM a place containers can
// run (pid1.h), then supervises the Pod (agent.h); whatever happens, PID 1 ends by powering
// the VM off — a fatal error prints its reason on the console first, never hangs.
// Run as an ordinary process (not PID 1) it only supervises, which is how it is tested.
#include <cstdio>
#include <string>

#include "common/pod_vm.h"
#include "guest-agent/agent.h"
#include "guest-agent/exec_server.h"
#include "guest-agent/pid1.h"
#include "guest-agent/supervisor.h"

int main(int argc, char** argv) {
  // The agent run again by itself, as its exec server (exec_server.h).
  if (argc > 1 && std::string(argv[1]) == "exec-server") return i2kit::ExecServerMain(argc, argv);
  // First, while this is the only thread (supervisor.h says why).
  if (i2kit::Status s = i2kit::BlockSupervisorSignals(); !s.ok()) {
    std::fprintf(stderr, "i2kit-agent: %s\n", s.message().c_str());
  }
  i2kit::AgentOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--pod-spec")
      options.pod_spec = argv[i + 1];
    else if (flag == "--run-dir")
      options.run_dir = argv[i + 1];
    else if (flag == "--runc")
      options.runc = argv[i + 1];
    else if (flag == "--health-port")
      options.health_port = std::stoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "i2kit-agent: unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  bool pid1 = i2kit::IsPid1();
  options.pid1 = pid1;
  i2kit::Status status = i2kit::RunAgent(options);
  if (!status.ok()) std::fprintf(stderr, "i2kit-agent: fatal: %s\n", status.message().c_str());
  if (pid1) {
    std::fprintf(stderr, "i2kit-agent: powering off\n");
    i2kit::PowerOff();
  }
  return status.ok() ? 0 : 1;
}
