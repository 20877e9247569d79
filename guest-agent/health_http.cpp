#include "guest-agent/health_http.h"

#include <algorithm>
#include <charconv>

namespace i2kit {
namespace {

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
  }
  return "Unknown";
}

HttpResponse Text(int status, std::string body) {
  return {status, std::move(body) + "\n"};
}

}  // namespace

std::string HttpResponse::Serialize() const {
  std::string out = "HTTP/1.0 " + std::to_string(status) + " " + ReasonPhrase(status) + "\r\n";
  out += "Content-Type: " + content_type + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  if (!head_only) out += body;
  return out;
}

bool HasCompleteRequestHead(std::string_view received) {
  return received.find("\r\n\r\n") != std::string_view::npos ||
         received.find("\n\n") != std::string_view::npos;
}

namespace {

// The lines numbered `since_text` and later as JSON, at most kMaxLogLinesPerAnswer:
// {"first": the oldest line still buffered, "next": where the next poll starts, "lines":
// [{"seq", "source", "text", "level"}]}, "level" the agent's for its own events ("info" for
// container output). A reader whose `since` is below `first` missed those lines.
HttpResponse LogsSince(std::string_view since_text, const LogBuffer* logs) {
  uint64_t since = 0;
  auto [end, error] =
      std::from_chars(since_text.data(), since_text.data() + since_text.size(), since);
  if (error != std::errc() || end != since_text.data() + since_text.size()) {
    return Text(400, "since= takes a line number");
  }
  nlohmann::ordered_json lines = nlohmann::ordered_json::array();
  uint64_t first = logs ? logs->first_sequence() : 0;
  // A reader ahead of the buffer (it cannot be, short of a reboot) restarts at its end.
  uint64_t next = logs ? std::clamp(since, first, logs->next_sequence()) : 0;
  if (logs) {
    for (const LogBuffer::SequencedLine& line : logs->LinesFrom(since, kMaxLogLinesPerAnswer)) {
      lines.push_back({{"seq", line.sequence},
                       {"source", line.source},
                       {"text", line.text},
                       {"level", LogLevelName(line.level)}});
      next = line.sequence + 1;
    }
  }
  nlohmann::ordered_json body{{"first", first}, {"next", next}, {"lines", lines}};
  // Container output need not be UTF-8: replace what is not, rather than fail.
  return {200, body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n",
          "application/json"};
}

// The recent lines of one container (`query` is "container=NAME") or of all, oldest first,
// after a line saying how many older ones the bounded buffer dropped; `since=N` reads them
// incrementally (LogsSince).
HttpResponse Logs(std::string_view query, const LogBuffer* logs) {
  std::string container;
  if (!query.empty()) {
    constexpr std::string_view kKey = "container=";
    constexpr std::string_view kSince = "since=";
    if (query.substr(0, kSince.size()) == kSince)
      return LogsSince(query.substr(kSince.size()), logs);
    if (query.substr(0, kKey.size()) != kKey) {
      return Text(400, "the queries are container=NAME and since=N");
    }
    container = std::string(query.substr(kKey.size()));
  }
  std::string body;
  if (logs != nullptr) {
    if (logs->dropped_lines() > 0) {
      body += "(" + std::to_string(logs->dropped_lines()) + " older lines dropped)\n";
    }
    // A container's lines are stored under "NAME" (stdout) and "NAME/stderr".
    for (const std::string& line : logs->Lines()) {
      if (!container.empty() && line.rfind(container + ": ", 0) != 0 &&
          line.rfind(container + "/stderr: ", 0) != 0) {
        continue;
      }
      body += line + "\n";
    }
  }
  return {200, std::move(body)};
}

}  // namespace

std::optional<std::chrono::seconds> ReadinessWait(std::string_view request_head) {
  constexpr std::string_view kPrefix = "GET /readyz?wait=";
  if (!request_head.starts_with(kPrefix)) return std::nullopt;
  std::string_view digits = request_head.substr(kPrefix.size());
  int wait = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), wait);
  if (error != std::errc() || end == digits.data() || *end != ' ' || wait < 1) return std::nullopt;
  return std::min(std::chrono::seconds(wait), kMaxReadyWait);
}

HttpResponse HandleHealthRequest(std::string_view request_head, const PodStatus& status,
                                 const LogBuffer* logs) {
  if (request_head.size() > kMaxHealthRequestBytes) return Text(431, "request too large");
  size_t line_end = request_head.find_first_of("\r\n");
  std::string_view line = request_head.substr(0, line_end);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos ||
      line.substr(sp2 + 1, 5) != "HTTP/") {
    return Text(400, "malformed request line");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view query;
  if (size_t mark = target.find('?'); mark != std::string_view::npos) {
    query = target.substr(mark + 1);  // load balancers may add one to the health paths
    target = target.substr(0, mark);
  }
  if (method != "GET" && method != "HEAD") return Text(405, "only GET and HEAD");
  HttpResponse response;
  if (target == "/healthz") {
    response = Text(200, "ok");
  } else if (target == "/readyz") {
    response =
        status.Ready() ? Text(200, "ready") : Text(503, "not ready: " + status.NotReadyReason());
  } else if (target == "/status") {
    response = {200, status.ToJson().dump() + "\n", "application/json"};
  } else if (target == "/logs") {
    response = Logs(query, logs);
  } else {
    response = Text(404, "not found");
  }
  response.head_only = method == "HEAD";
  return response;
}

}  // namespace i2kit
