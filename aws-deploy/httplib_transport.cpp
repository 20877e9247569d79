#include "aws-deploy/httplib_transport.h"

#include <httplib.h>
#include <strings.h>

namespace i2kit {

HttplibTransport::HttplibTransport(std::chrono::seconds timeout) : timeout_(timeout) {}

HttplibTransport::~HttplibTransport() = default;

aws::HttpExchange HttplibTransport::Send(const aws::ServiceEndpoint& endpoint,
                                         const aws::HttpRequest& request) {
  std::string origin = std::string(endpoint.https ? "https://" : "http://") + endpoint.host + ":" +
                       std::to_string(endpoint.port);
  std::unique_ptr<httplib::Client>& client = clients_[origin];
  if (!client) {
    client = std::make_unique<httplib::Client>(origin);
    client->set_connection_timeout(timeout_.count());
    client->set_read_timeout(timeout_.count());
    client->set_write_timeout(timeout_.count());
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);  // headers and body go in two writes: no Nagle delay
  }
  // httplib adds Content-Type from its own argument, so the signed one travels that way.
  httplib::Headers headers;
  std::string content_type;
  for (const aws::HttpHeader& h : request.headers) {
    if (strcasecmp(h.name.c_str(), "Content-Type") == 0) {
      content_type = h.value;
    } else {
      headers.emplace(h.name, h.value);
    }
  }
  std::string target = request.query.empty() ? request.path : request.path + "?" + request.query;
  httplib::Result result =
      request.method == "POST"   ? client->Post(target, headers, request.body, content_type)
      : request.method == "PUT"  ? client->Put(target, headers, request.body, content_type)
      : request.method == "HEAD" ? client->Head(target, headers)
                                 : client->Get(target, headers);
  aws::HttpExchange exchange;
  if (!result) {
    httplib::Error error = result.error();
    exchange.timed_out = error == httplib::Error::ConnectionTimeout;
    exchange.error = httplib::to_string(error);
    if (error == httplib::Error::SSLServerVerification) {
      exchange.error += " (the server's certificate is not trusted by this machine's CA store)";
    }
    client.reset();  // a broken connection is not kept
    return exchange;
  }
  aws::HttpResponse response{result->status, {}, result->body};
  for (const auto& [name, value] : result->headers) response.headers.push_back({name, value});
  exchange.response = std::move(response);
  return exchange;
}

}  // namespace i2kit
