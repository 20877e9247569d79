// Reading an HTTP/1.1 response off the wire (RFC 9112): the status line, the headers, and a
// body framed by Content-Length, by chunked transfer coding, or by the connection's end. Pure:
// the transport feeds it the bytes received so far.
#pragma once

#include <optional>
#include <string_view>

#include "aws-client/http_transport.h"
#include "common/status.h"

namespace i2kit::aws {

// The response in `bytes` (everything received so far on a connection that carried one
// request), nullopt while it is incomplete, or an error naming what is malformed. `closed`:
// the peer has closed, so a body without framing ends here and anything else short is an
// error. `head_request`: a HEAD's response has no body whatever its headers say.
Result<std::optional<HttpResponse>> ParseHttp1Response(std::string_view bytes, bool closed,
                                                       bool head_request = false);

// The value of header `name` (case-insensitive), nullopt when absent.
std::optional<std::string_view> FindHeader(const std::vector<HttpHeader>& headers,
                                           std::string_view name);

}  // namespace i2kit::aws
