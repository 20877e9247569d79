// i2kit-balance: the local Service balancer (tcp_balancer.h), the very one `run` puts in front
// of a Deployment's replicas, in front of any TCP backends instead. A benchmark's tool: it lets
// scripts/evaluate.sh measure the conventional worker VM's containers behind the same balancer
// as Pod VMs, so that the balancer's own cost is the same on both sides of the comparison.
//
//   i2kit-balance PORT HOST:PORT...   listens on 127.0.0.1:PORT (0: any; the port is printed),
//                                     every backend in service at once, until SIGINT or SIGTERM
//
// No health checks: the caller starts it once every backend serves.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "local-cluster/tcp_balancer.h"

namespace {

volatile std::sig_atomic_t stopping = 0;

void Stop(int) {
  stopping = 1;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "i2kit-balance: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Fail("usage: i2kit-balance PORT HOST:PORT...");
  i2kit::Result<i2kit::TcpBalancer> balancer = i2kit::TcpBalancer::Listen(std::atoi(argv[1]));
  if (!balancer.ok()) return Fail(balancer.status().message());
  for (int i = 2; i < argc; ++i) {
    std::string backend = argv[i];
    size_t colon = backend.rfind(':');
    if (colon == std::string::npos) return Fail(backend + ": not HOST:PORT");
    i2kit::Status added = balancer.value().AddBackend(backend, backend.substr(0, colon),
                                                      std::atoi(backend.c_str() + colon + 1));
    if (!added.ok()) return Fail(added.message());
    i2kit::Status in = balancer.value().SetInService(backend, true);
    if (!in.ok()) return Fail(in.message());
  }
  struct sigaction action = {};
  action.sa_handler = Stop;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::printf("%d\n", balancer->port());
  std::fflush(stdout);
  while (!stopping) {
    i2kit::Status polled = balancer.value().Poll(std::chrono::milliseconds(200));
    if (!polled.ok() && !stopping) return Fail(polled.message());
  }
  return 0;
}
