"""A gRPC health server on Debian's grpcio, for grpc_health_check_test: answers
grpc.health.v1.Health/Check with SERVING for "" and "cart", NOT_SERVING for "down", NOT_FOUND
for any other service, and after 5 s for "slow". Writes its port into the file argv[1], then
serves until killed."""
import os
import sys
import time
from concurrent import futures

import grpc

STATUSES = {"": 1, "cart": 1, "down": 2, "slow": 1}


def service_of(request):
    # HealthCheckRequest: field 1 (service), length-delimited; short names only.
    if len(request) >= 2 and request[0] == 0x0A:
        return request[2:2 + request[1]].decode()
    return ""


def check(request, context):
    service = service_of(request)
    if service not in STATUSES:
        context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
    if service == "slow":
        time.sleep(5)
    return bytes([0x08, STATUSES[service]])


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
    "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(check)}),))
port = server.add_insecure_port("127.0.0.1:0")
server.start()
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(port))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.wait_for_termination()
