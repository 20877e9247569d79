// The host's HTTP transport for AWS requests (GET, POST, PUT): cpp-httplib with OpenSSL
// (certificates checked against the system's CA store), one kept-alive connection per endpoint.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "aws-client/http_transport.h"

namespace httplib {
class Client;
}

namespace i2kit {

class HttplibTransport : public aws::HttpTransport {
 public:
  // `timeout` bounds connecting and each read and write (the AWS CLI's default is 60 s).
  explicit HttplibTransport(std::chrono::seconds timeout = std::chrono::seconds(60));
  ~HttplibTransport() override;

  aws::HttpExchange Send(const aws::ServiceEndpoint& endpoint,
                         const aws::HttpRequest& request) override;

 private:
  std::chrono::seconds timeout_;
  std::map<std::string, std::unique_ptr<httplib::Client>> clients_;  // by scheme://host:port
};

}  // namespace i2kit
