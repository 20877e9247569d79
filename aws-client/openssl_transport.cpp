#include "aws-client/openssl_transport.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "aws-client/http1_response.h"
#include "common/fd_wait.h"
#include "common/unique_fd.h"

namespace i2kit::aws {

struct OpenSslTransport::TlsContext {
  struct Free {
    void operator()(SSL_CTX* owned) const { SSL_CTX_free(owned); }
  };
  std::unique_ptr<SSL_CTX, Free> context;
};

namespace {

using Clock = std::chrono::steady_clock;

// How one read or write on a connection ended.
enum class Io { kDone, kClosed, kTimedOut, kFailed };

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// OpenSSL's most recent error on this thread, emptied from its queue.
std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no detail from OpenSSL";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

bool IsIpLiteral(const std::string& host) {
  in6_addr address;
  return ::inet_pton(AF_INET, host.c_str(), &address) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

// A TCP connection, TLS on top when `ssl` is set. Nonblocking; every call waits at most until
// the deadline given.
class Connection {
 public:
  explicit Connection(UniqueFd fd) : fd_(std::move(fd)) {}

  // Runs the TLS handshake for `host`: SNI (names only) and the certificate's name or address.
  Io StartTls(SSL_CTX* context, const std::string& host, Clock::time_point deadline,
              std::string* error) {
    ssl_.reset(SSL_new(context));
    if (!ssl_ || SSL_set_fd(ssl_.get(), fd_.get()) != 1) {
      *error = "TLS setup: " + OpenSslError();
      return Io::kFailed;
    }
    bool name_set = IsIpLiteral(host)
                        ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), host.c_str())
                        : SSL_set_tlsext_host_name(ssl_.get(), host.c_str()) == 1 &&
                              SSL_set1_host(ssl_.get(), host.c_str()) == 1;
    if (!name_set) {
      *error = "TLS setup for " + host + ": " + OpenSslError();
      return Io::kFailed;
    }
    for (;;) {
      int result = SSL_connect(ssl_.get());
      if (result == 1) return Io::kDone;
      Io io = AwaitSsl(result, deadline);
      if (io == Io::kDone) continue;
      if (io == Io::kTimedOut) {
        *error = "TLS handshake timed out";
      } else if (long verify = SSL_get_verify_result(ssl_.get()); verify != X509_V_OK) {
        *error =
            std::string("TLS: certificate not trusted: ") + X509_verify_cert_error_string(verify);
      } else {
        *error = "TLS handshake: " + last_error_;
      }
      return io == Io::kTimedOut ? io : Io::kFailed;
    }
  }

  Io Write(std::string_view data, Clock::time_point deadline, std::string* error) {
    while (!data.empty()) {
      size_t written = 0;
      if (ssl_) {
        int result = SSL_write_ex(ssl_.get(), data.data(), data.size(), &written);
        if (result != 1) {
          Io io = AwaitSsl(result, deadline);
          if (io == Io::kDone) continue;
          *error = io == Io::kTimedOut ? "send timed out" : "send: " + last_error_;
          return io;
        }
      } else {
        ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
          if (!WaitForFd(fd_.get(), POLLOUT, deadline)) {
            *error = "send timed out";
            return Io::kTimedOut;
          }
          continue;
        }
        if (n < 0) {
          *error = std::string("send: ") + std::strerror(errno);
          return Io::kFailed;
        }
        written = static_cast<size_t>(n);
      }
      data.remove_prefix(written);
    }
    return Io::kDone;
  }

  // Appends what arrives to `into`: kDone after some bytes, kClosed at the peer's end.
  Io Read(std::string* into, Clock::time_point deadline, std::string* error) {
    char buffer[16384];
    for (;;) {
      if (ssl_) {
        size_t got = 0;
        int result = SSL_read_ex(ssl_.get(), buffer, sizeof buffer, &got);
        if (result == 1) {
          into->append(buffer, got);
          return Io::kDone;
        }
        int reason = SSL_get_error(ssl_.get(), result);
        // A peer that closes without close_notify (many servers under Connection: close):
        // the HTTP framing, not TLS, tells whether the response is whole.
        if (reason == SSL_ERROR_ZERO_RETURN ||
            (reason == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) ||
            (reason == SSL_ERROR_SSL &&
             ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
          ERR_clear_error();
          return Io::kClosed;
        }
        Io io = AwaitSsl(result, deadline);
        if (io == Io::kDone) continue;
        *error = io == Io::kTimedOut ? "no answer in time" : "receive: " + last_error_;
        return io;
      }
      ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
      if (n > 0) {
        into->append(buffer, static_cast<size_t>(n));
        return Io::kDone;
      }
      if (n == 0) return Io::kClosed;
      if (errno == EINTR) continue;
      if (errno != EAGAIN) {
        *error = std::string("receive: ") + std::strerror(errno);
        return Io::kFailed;
      }
      if (!WaitForFd(fd_.get(), POLLIN, deadline)) {
        *error = "no answer in time";
        return Io::kTimedOut;
      }
    }
  }

 private:
  // After an SSL call returned `result`: waits for the socket when OpenSSL wants it (kDone:
  // call again), else records why it failed.
  Io AwaitSsl(int result, Clock::time_point deadline) {
    int reason = SSL_get_error(ssl_.get(), result);
    if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) {
      short events = reason == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
      return WaitForFd(fd_.get(), events, deadline) ? Io::kDone : Io::kTimedOut;
    }
    last_error_ = reason == SSL_ERROR_SYSCALL && ERR_peek_error() == 0
                      ? std::string(errno != 0 ? std::strerror(errno) : "connection closed")
                      : OpenSslError();
    return Io::kFailed;
  }

  UniqueFd fd_;
  std::unique_ptr<SSL, SslFree> ssl_;
  std::string last_error_;
};

// Resolves `host` and connects to the first address that answers before the deadline.
Result<UniqueFd> Connect(const ServiceEndpoint& endpoint, Clock::time_point deadline,
                         bool* timed_out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  // getaddrinfo has no deadline of its own; resolv.conf's timeout and attempts bound it.
  int rc = ::getaddrinfo(endpoint.host.c_str(), std::to_string(endpoint.port).c_str(), &hints,
                         &addresses);
  if (rc != 0) return Status::Error("resolve " + endpoint.host + ": " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(addresses, ::freeaddrinfo);
  std::string last_error = "no address";
  for (const addrinfo* address = addresses; address; address = address->ai_next) {
    UniqueFd fd(::socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                         address->ai_protocol));
    if (!fd.valid()) {
      last_error = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    if (::connect(fd.get(), address->ai_addr, address->ai_addrlen) == 0) return fd;
    if (errno != EINPROGRESS) {
      last_error = std::strerror(errno);
      continue;
    }
    if (!WaitForFd(fd.get(), POLLOUT, deadline)) {
      *timed_out = true;
      return Status::Error("connect timed out");
    }
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0) return fd;
    last_error = std::strerror(error);
  }
  return Status::Error("connect: " + last_error);
}

std::string RequestHead(const ServiceEndpoint& endpoint, const HttpRequest& request) {
  std::string target = request.query.empty() ? request.path : request.path + "?" + request.query;
  std::string head = request.method + " " + target + " HTTP/1.1\r\n";
  if (!FindHeader(request.headers, "Host")) head += "Host: " + endpoint.HostHeader() + "\r\n";
  for (const HttpHeader& header : request.headers) {
    head += header.name + ": " + header.value + "\r\n";
  }
  if (!FindHeader(request.headers, "Content-Length") &&
      (!request.body.empty() || request.method == "POST" || request.method == "PUT")) {
    head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  // One request per connection: the reporter sends a few a minute, and a fresh connection
  // never meets a server's idle timeout half-way.
  head += "Connection: close\r\n\r\n";
  return head;
}

}  // namespace

OpenSslTransport::OpenSslTransport(OpenSslTransportOptions options)
    : options_(std::move(options)) {}

OpenSslTransport::~OpenSslTransport() = default;

HttpExchange OpenSslTransport::Send(const ServiceEndpoint& endpoint, const HttpRequest& request) {
  Clock::time_point deadline = Clock::now() + options_.timeout;
  HttpExchange exchange;
  auto fail = [&](const std::string& what, bool timed_out) {
    exchange.error = what;  // the caller names the endpoint
    exchange.timed_out = timed_out;
    return exchange;
  };
  if (endpoint.https && !tls_) {
    // No openssl.cnf: a static program should not change with the machine's configuration.
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
    auto tls = std::make_unique<TlsContext>();
    tls->context.reset(SSL_CTX_new(TLS_client_method()));
    if (!tls->context) return fail("TLS context: " + OpenSslError(), false);
    SSL_CTX_set_min_proto_version(tls->context.get(), TLS1_2_VERSION);
    SSL_CTX_set_verify(tls->context.get(), SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(tls->context.get(), options_.ca_bundle.c_str(), nullptr) !=
        1) {
      return fail("CA bundle " + options_.ca_bundle + ": " + OpenSslError(), false);
    }
    tls_ = std::move(tls);
  }
  bool timed_out = false;
  Result<UniqueFd> fd = Connect(endpoint, deadline, &timed_out);
  if (!fd.ok()) return fail(fd.status().message(), timed_out);
  Connection connection(std::move(fd).value());
  std::string error;
  if (endpoint.https) {
    Io io = connection.StartTls(tls_->context.get(), endpoint.host, deadline, &error);
    if (io != Io::kDone) return fail(error, io == Io::kTimedOut);
  }
  Io io = connection.Write(RequestHead(endpoint, request), deadline, &error);
  if (io == Io::kDone) io = connection.Write(request.body, deadline, &error);
  if (io != Io::kDone) return fail(error, io == Io::kTimedOut);

  std::string received;
  for (;;) {
    io = connection.Read(&received, deadline, &error);
    if (io == Io::kFailed || io == Io::kTimedOut) return fail(error, io == Io::kTimedOut);
    if (received.size() > options_.max_response_bytes) {
      return fail("response larger than " + std::to_string(options_.max_response_bytes) + " bytes",
                  false);
    }
    Result<std::optional<HttpResponse>> response =
        ParseHttp1Response(received, io == Io::kClosed, request.method == "HEAD");
    if (!response.ok()) return fail(response.status().message(), false);
    if (response->has_value()) {
      exchange.response = std::move(**response);
      return exchange;
    }
  }
}

}  // namespace i2kit::aws
