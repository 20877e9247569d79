// An HTTP transport for static programs (the EC2 reporter): sockets and OpenSSL's static
// libraries, one connection per request. cpp-httplib, which the host uses, cannot serve here:
// Debian ships it only as a shared library. Speaks HTTP/1.1 to https:// endpoints (the
// server's certificate checked against a CA bundle file, SNI, the host name checked against
// the certificate) and to http:// ones (the metadata service, the local AWS stand-in).
//
// Names resolve with glibc's getaddrinfo: since glibc 2.34 the "files" and "dns" NSS modules
// are built into libc, so a static binary resolves through /etc/hosts and /etc/resolv.conf
// with no libnss_*.so present (checked with glibc 2.36 in a chroot holding only the binary and
// resolv.conf, README "The EC2 reporter").
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aws-client/http_transport.h"

namespace i2kit::aws {

// Debian's CA bundle (ca-certificates).
inline constexpr char kSystemCaBundle[] = "/etc/ssl/certs/ca-certificates.crt";

struct OpenSslTransportOptions {
  std::string ca_bundle = kSystemCaBundle;
  // Bounds each request as a whole: resolving, connecting, the TLS handshake, sending and
  // receiving.
  std::chrono::milliseconds timeout{10000};
  size_t max_response_bytes = 16 << 20;
};

class OpenSslTransport : public HttpTransport {
 public:
  explicit OpenSslTransport(OpenSslTransportOptions options = {});
  ~OpenSslTransport() override;

  // Sends with "Connection: close" and reads the response to its end; a failure names the
  // endpoint and the step (resolve, connect, TLS handshake with OpenSSL's reason, …).
  HttpExchange Send(const ServiceEndpoint& endpoint, const HttpRequest& request) override;

 private:
  struct TlsContext;
  OpenSslTransportOptions options_;
  std::unique_ptr<TlsContext> tls_;  // made on the first https:// request
};

}  // namespace i2kit::aws
