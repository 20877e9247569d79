// A small HTTP/1.0 server on 127.0.0.1 for tests: one thread answering connections one at a
// time with a handler, so a test can stand for the instance-metadata service or the agent.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "common/unique_fd.h"

namespace i2kit::testing {

struct FakeRequest {
  std::string method;
  std::string path;
  std::string head;  // the request line and headers, as received
};

struct FakeResponse {
  int status = 200;
  std::string body;
};

class FakeHttpServer {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;

  explicit FakeHttpServer(Handler handler)
      : handler_(std::move(handler)), listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::listen(listener_.get(), 16) != 0 ||
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeHttpServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd wait{listener_.get(), POLLIN, 0};
      if (::poll(&wait, 1, 50) != 1) continue;
      UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!connection.valid()) continue;
      std::string head;
      char buffer[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        pollfd readable{connection.get(), POLLIN, 0};
        if (::poll(&readable, 1, 2000) != 1) break;
        ssize_t n = ::read(connection.get(), buffer, sizeof buffer);
        if (n <= 0) break;
        head.append(buffer, static_cast<size_t>(n));
      }
      FakeRequest request;
      request.head = head;
      size_t space = head.find(' ');
      request.method = head.substr(0, space);
      request.path = head.substr(space + 1, head.find(' ', space + 1) - space - 1);
      FakeResponse response = handler_(request);
      std::string out = "HTTP/1.0 " + std::to_string(response.status) +
                        " X\r\nContent-Length: " + std::to_string(response.body.size()) +
                        "\r\nConnection: close\r\n\r\n" + response.body;
      ::send(connection.get(), out.data(), out.size(), MSG_NOSIGNAL);
    }
  }

  Handler handler_;
  UniqueFd listener_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace i2kit::testing
