// The static programs' transport against a one-connection server in a thread: plain HTTP,
// TLS with a certificate made for the test (openssl req), and the failures it must name.
#include "aws-client/openssl_transport.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "common/unique_fd.h"

namespace i2kit::aws {
namespace {

// A certificate for "localhost" only, self-signed, in a fresh directory.
class TestCertificate {
 public:
  TestCertificate() {
    std::string pattern = (std::filesystem::temp_directory_path() / "i2kit-tls-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return;
    dir_ = pattern;
    std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
        "-nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost "
        "-keyout " +
        key() + " -out " + cert() + " 2>/dev/null";
    made_ = std::system(command.c_str()) == 0;
  }
  ~TestCertificate() {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  bool made() const { return made_; }
  std::string cert() const { return dir_ + "/cert.pem"; }
  std::string key() const { return dir_ + "/key.pem"; }

 private:
  std::string dir_;
  bool made_ = false;
};

// Accepts one connection on 127.0.0.1, reads one request (headers and Content-Length body),
// answers `response` unless told to stay silent, and closes.
class OneShotServer {
 public:
  OneShotServer(std::string response, const TestCertificate* tls = nullptr, bool silent = false)
      : listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::listen(listener_.get(), 1) != 0 ||
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread(
        [this, response = std::move(response), tls, silent] { Serve(response, tls, silent); });
  }
  ~OneShotServer() {
    ::shutdown(listener_.get(), SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  // What the server received; read after the client is done.
  const std::string& request() const { return request_; }

 private:
  void Serve(const std::string& response, const TestCertificate* tls, bool silent) {
    pollfd wait{listener_.get(), POLLIN, 0};
    if (::poll(&wait, 1, 5000) != 1) return;
    UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection.valid()) return;
    SSL_CTX* context = nullptr;
    SSL* ssl = nullptr;
    if (tls) {
      context = SSL_CTX_new(TLS_server_method());
      SSL_CTX_use_certificate_file(context, tls->cert().c_str(), SSL_FILETYPE_PEM);
      SSL_CTX_use_PrivateKey_file(context, tls->key().c_str(), SSL_FILETYPE_PEM);
      ssl = SSL_new(context);
      SSL_set_fd(ssl, connection.get());
      if (SSL_accept(ssl) != 1) {
        SSL_free(ssl);
        SSL_CTX_free(context);
        return;
      }
    }
    auto read = [&](char* buffer, int size) {
      return ssl ? SSL_read(ssl, buffer, size)
                 : static_cast<int>(::read(connection.get(), buffer, size));
    };
    char buffer[4096];
    size_t need = std::string::npos;
    while (request_.size() < need) {
      int n = read(buffer, sizeof buffer);
      if (n <= 0) break;
      request_.append(buffer, static_cast<size_t>(n));
      size_t head_end = request_.find("\r\n\r\n");
      if (head_end != std::string::npos && need == std::string::npos) {
        size_t length_at = request_.find("Content-Length: ");
        size_t length = length_at < head_end ? std::stoul(request_.substr(length_at + 16)) : 0;
        need = head_end + 4 + length;
      }
    }
    if (silent) {
      ::usleep(500'000);
    } else if (ssl) {
      SSL_write(ssl, response.data(), static_cast<int>(response.size()));
      SSL_shutdown(ssl);
    } else {
      ::send(connection.get(), response.data(), response.size(), MSG_NOSIGNAL);
    }
    SSL_free(ssl);
    SSL_CTX_free(context);
  }

  UniqueFd listener_;
  int port_ = 0;
  std::string request_;
  std::thread thread_;
};

ServiceEndpoint Endpoint(bool https, std::string host, int port) {
  ServiceEndpoint endpoint;
  endpoint.https = https;
  endpoint.host = std::move(host);
  endpoint.port = port;
  return endpoint;
}

HttpRequest Post(std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.query = "a=1";
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"}};
  request.body = std::move(body);
  return request;
}

TEST(OpenSslTransport, SpeaksPlainHttpWithContentLength) {
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  OpenSslTransport transport;
  HttpExchange exchange = transport.Send(Endpoint(false, "127.0.0.1", server.port()), Post("{}"));
  ASSERT_TRUE(exchange.response) << exchange.error;
  EXPECT_EQ(exchange.response->status, 200);
  EXPECT_EQ(exchange.response->body, "ok");
  EXPECT_EQ(server.request().substr(0, 22), "POST /?a=1 HTTP/1.1\r\nH");
  EXPECT_NE(server.request().find("Content-Length: 2\r\n"), std::string::npos);
  EXPECT_NE(server.request().find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(server.request().substr(server.request().size() - 2), "{}");
}

TEST(OpenSslTransport, ReadsAChunkedResponseOverTlsWithATrustedCertificate) {
  TestCertificate certificate;
  ASSERT_TRUE(certificate.made());
  OneShotServer server(
      "HTTP/1.1 503 Slow Down\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      &certificate);
  OpenSslTransport transport({certificate.cert(), std::chrono::milliseconds(5000)});
  HttpExchange exchange = transport.Send(Endpoint(true, "localhost", server.port()), Post("x"));
  ASSERT_TRUE(exchange.response) << exchange.error;
  EXPECT_EQ(exchange.response->status, 503);
  EXPECT_EQ(exchange.response->body, "abc");
}

TEST(OpenSslTransport, RefusesACertificateForAnotherName) {
  TestCertificate certificate;
  ASSERT_TRUE(certificate.made());
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &certificate);
  OpenSslTransport transport({certificate.cert(), std::chrono::milliseconds(5000)});
  HttpExchange exchange = transport.Send(Endpoint(true, "127.0.0.1", server.port()), Post(""));
  EXPECT_FALSE(exchange.response);
  EXPECT_NE(exchange.error.find("certificate not trusted"), std::string::npos) << exchange.error;
}

TEST(OpenSslTransport, RefusesACertificateOutsideTheBundle) {
  TestCertificate certificate;
  TestCertificate other;
  ASSERT_TRUE(certificate.made() && other.made());
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &certificate);
  OpenSslTransport transport({other.cert(), std::chrono::milliseconds(5000)});
  HttpExchange exchange = transport.Send(Endpoint(true, "localhost", server.port()), Post(""));
  EXPECT_FALSE(exchange.response);
  EXPECT_NE(exchange.error.find("certificate not trusted"), std::string::npos) << exchange.error;
}

TEST(OpenSslTransport, NamesAMissingCaBundle) {
  OpenSslTransport transport({"/nonexistent/ca.pem", std::chrono::milliseconds(1000)});
  HttpExchange exchange = transport.Send(Endpoint(true, "localhost", 1), Post(""));
  EXPECT_FALSE(exchange.response);
  EXPECT_NE(exchange.error.find("/nonexistent/ca.pem"), std::string::npos) << exchange.error;
}

TEST(OpenSslTransport, TimesOutOnASilentServer) {
  OneShotServer server("", nullptr, /*silent=*/true);
  OpenSslTransport transport({kSystemCaBundle, std::chrono::milliseconds(200)});
  HttpExchange exchange = transport.Send(Endpoint(false, "127.0.0.1", server.port()), Post(""));
  EXPECT_FALSE(exchange.response);
  EXPECT_TRUE(exchange.timed_out) << exchange.error;
}

TEST(OpenSslTransport, ReportsARefusedConnection) {
  int port;
  {
    OneShotServer closed("");  // a port that was just free
    port = closed.port();
  }
  OpenSslTransport transport({kSystemCaBundle, std::chrono::milliseconds(1000)});
  HttpExchange exchange = transport.Send(Endpoint(false, "127.0.0.1", port), Post(""));
  EXPECT_FALSE(exchange.response);
  EXPECT_FALSE(exchange.timed_out);
  EXPECT_NE(exchange.error.find("connect"), std::string::npos) << exchange.error;
}

}  // namespace
}  // namespace i2kit::aws
