// The agent's health endpoint as a pure function from a request head to a response: the load
// balancer and `i2kit-host` ask GET /healthz (the agent is alive), /readyz (every container is
// ready), /status (JSON) and /logs (the containers' recent output, from the agent's bounded
// buffer; `?container=NAME` for one container, `?since=N` for the lines numbered N and later
// as JSON, how the EC2 reporter follows them). Nothing else is served.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "guest-agent/log_buffer.h"
#include "guest-agent/pod_status.h"

namespace i2kit {

// Requests larger than this are refused: the endpoint must never be a memory sink.
inline constexpr size_t kMaxHealthRequestBytes = 4096;
// Connections served at once, and from one peer address at once: the host's balancer, `run`'s
// readiness checks and the EC2 reporter each get a slot however many connections another peer
// holds open; a connection beyond either limit is closed as soon as it is accepted.
inline constexpr size_t kMaxHealthClients = 32;
inline constexpr size_t kMaxHealthClientsPerPeer = 8;
// /logs?since=N answers at most this many lines; the reader asks again from "next".
inline constexpr size_t kMaxLogLinesPerAnswer = 1000;

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "text/plain";
  bool head_only = false;  // a HEAD request: headers without the body

  // The HTTP/1.0 response with Content-Length and Connection: close.
  std::string Serialize() const;
};

// True once `received` holds a whole request head (up to the blank line).
bool HasCompleteRequestHead(std::string_view received);

// GET /readyz?wait=N asks the agent to hold the answer until the Pod is ready, at most N
// seconds (1 to kMaxReadyWait): the host then learns of readiness the moment it happens, not
// at its next check. The wait a request head asks for; nullopt for any other request.
inline constexpr std::chrono::seconds kMaxReadyWait{60};
std::optional<std::chrono::seconds> ReadinessWait(std::string_view request_head);

// Answers one request head. Malformed → 400, not GET/HEAD → 405, unknown path → 404. /logs
// answers from `logs`, empty when there is none.
HttpResponse HandleHealthRequest(std::string_view request_head, const PodStatus& status,
                                 const LogBuffer* logs = nullptr);

}  // namespace i2kit
