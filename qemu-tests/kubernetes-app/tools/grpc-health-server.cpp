// The `cart` container of the kubernetes-app VM test: a gRPC server on Debian's gRPC (libgrpc++)
// whose only service is gRPC's own default health service, SERVING for "" and "cart", so that
// the agent's gRPC probes meet the real implementation. Usage: grpc-health-server PORT
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <cstdio>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  // Any other method is UNIMPLEMENTED; a server with no service of its own would not start.
  grpc::CallbackGenericService others;
  builder.RegisterCallbackGenericService(&others);
  builder.AddListeningPort(std::string("0.0.0.0:") + argv[1], grpc::InsecureServerCredentials());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) {
    std::fprintf(stderr, "grpc-health-server: cannot listen on port %s\n", argv[1]);
    return 1;
  }
  server->GetHealthCheckService()->SetServingStatus("", true);
  server->GetHealthCheckService()->SetServingStatus("cart", true);
  std::printf("grpc-health-server: serving grpc.health.v1 on port %s (\"\" and \"cart\")\n",
              argv[1]);
  std::fflush(stdout);
  server->Wait();
}
