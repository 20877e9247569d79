// The local instance-metadata service: the EC2 IMDSv2 paths the agent uses, answered for one
// replica, so the same image behaves locally as on EC2 — a session token from PUT
// /latest/api/token (TTL 1–21600 s), then GETs that must carry it (401 otherwise, as EC2).
// Tokens are stateless (the expiry and an HMAC-SHA256 of it under the replica's key): QEMU
// starts one `i2kit-host metadata-serve` per guest connection, so nothing is remembered
// between requests. Also serves the local service directory (pod_vm.h kServiceDirectoryPath)
// and the Pod's Secrets (kPodSecretsPath): QEMU runs this service for one VM's connections
// only, in that replica's state directory, so what it answers is that VM's Deployment's and no
// other's; the containers cannot reach it (the agent's cgroup filter blocks the address).
// A pure function of the request; metadata_serve.cpp is its shell.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace i2kit {

struct InstanceIdentity {
  std::string instance_id;  // i-local-<deployment>-<replica>
  std::string region = "local";
  std::string availability_zone = "local-1a";
  std::string local_ipv4 = "10.0.2.15";
  std::string user_data;  // empty: 404, as EC2 without user data
};

struct MetadataResponse {
  int status = 200;
  std::string body;
  std::string Serialize() const;  // HTTP/1.0, Content-Length, Connection: close
};

// The replica's exec key (pod_vm.h kExecKeyPath; guest-agent/exec_server.h), derived from its
// metadata key: what `i2kit-host exec` sends and the agent's exec server asks this service for.
// Derived, not stored, so the one key file per replica stays the one secret to keep.
std::string ExecKeyFor(std::string_view metadata_key);

// Answers one request (head and body as received). `key` signs tokens; `now_unix` is the
// time; `directory` gives the service directory's JSON when asked for, `secrets` the Pod's
// Secrets' JSON (common/pod_secrets.h; 500 with its error, which names no value; none: 404).
MetadataResponse HandleMetadataRequest(std::string_view request, const InstanceIdentity& identity,
                                       std::string_view key, int64_t now_unix,
                                       const std::function<std::string()>& directory,
                                       const std::function<Result<std::string>()>& secrets = {});

}  // namespace i2kit
