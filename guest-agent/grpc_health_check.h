// The gRPC health checking protocol (grpc.health.v1.Health/Check) as the kubelet's gRPC probe
// speaks it: plaintext HTTP/2 with prior knowledge, one request, within the probe's timeout.
// A minimal client of its own rather than a library in the static agent (Debian's
// libnghttp2.a would link, at ~300 KB of archive, to replace some 200 lines here). It writes
// HPACK without Huffman coding or the dynamic table (any HTTP/2 peer must accept it) and never
// needs to decode the server's headers: a HealthCheckResponse message arrives only with an OK
// status, so the response message alone decides, and a stream that ends without one (a
// trailers-only error such as NOT_FOUND for an unknown service) is a failure.
#pragma once

#include <string>

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

// grpc.health.v1.HealthCheckResponse.ServingStatus.
enum class GrpcServingStatus { kUnknown = 0, kServing = 1, kNotServing = 2, kServiceUnknown = 3 };

// Asks probe.host:probe.port (empty host = 127.0.0.1) for the health of probe.grpc_service
// ("" = the server as a whole) within probe.timeout_seconds; returns the status it answered,
// or an error saying why there was no answer.
Result<GrpcServingStatus> QueryGrpcHealth(const Probe& probe);

// Ok when the answer is SERVING, as the kubelet decides; else an error saying what came back.
Status CheckGrpcHealth(const Probe& probe);

// The request's bytes after the connection preface's own: the client SETTINGS, the HEADERS of
// POST /grpc.health.v1.Health/Check and the DATA frame holding HealthCheckRequest{service}.
std::string GrpcHealthRequestFrames(const std::string& authority, const std::string& service);

}  // namespace i2kit
