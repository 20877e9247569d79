#include "guest-agent/health_http.h"

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

HttpResponse HandleHealthRequest(std::string_view request_head, const PodStatus& status) {
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
  target = target.substr(0, target.find('?'));  // load balancers may add a query string
  if (method != "GET" && method != "HEAD") return Text(405, "only GET and HEAD");
  HttpResponse response;
  if (target == "/healthz") {
    response = Text(200, "ok");
  } else if (target == "/readyz") {
    response = status.Ready() ? Text(200, "ready") : Text(503, "not ready");
  } else if (target == "/status") {
    response = {200, status.ToJson().dump() + "\n", "application/json"};
  } else {
    response = Text(404, "not found");
  }
  response.head_only = method == "HEAD";
  return response;
}

}  // namespace i2kit
