#include "aws-client/http1_response.h"

#include <strings.h>

#include <charconv>

namespace i2kit::aws {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Parses a whole number in `base`; false when `text` is empty, not all digits, or too large.
bool ParseSize(std::string_view text, int base, size_t* value) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value, base);
  return error == std::errc() && end == text.data() + text.size();
}

// The decoded body of chunked data in `bytes`: nullopt while incomplete. Chunk extensions and
// trailers are read past and dropped.
Result<std::optional<std::string>> Dechunk(std::string_view bytes) {
  std::string body;
  size_t at = 0;
  for (;;) {
    size_t line_end = bytes.find(kCrlf, at);
    if (line_end == std::string_view::npos) return std::optional<std::string>();
    std::string_view size_text = bytes.substr(at, line_end - at);
    size_text = Trim(size_text.substr(0, size_text.find(';')));
    size_t size = 0;
    if (!ParseSize(size_text, 16, &size)) {
      return Status::Error("bad chunk size '" + std::string(size_text) + "'");
    }
    at = line_end + kCrlf.size();
    if (size == 0) {
      // Trailer fields, then an empty line.
      for (;;) {
        size_t trailer_end = bytes.find(kCrlf, at);
        if (trailer_end == std::string_view::npos) return std::optional<std::string>();
        bool last = trailer_end == at;
        at = trailer_end + kCrlf.size();
        if (last) return std::optional<std::string>(std::move(body));
      }
    }
    // Compared without adding to `size`: a size near SIZE_MAX must not wrap around.
    const size_t left = bytes.size() - at;
    if (size > left || left - size < kCrlf.size()) return std::optional<std::string>();
    body.append(bytes.substr(at, size));
    at += size;
    if (bytes.substr(at, kCrlf.size()) != kCrlf) return Status::Error("chunk without its CRLF");
    at += kCrlf.size();
  }
}

}  // namespace

std::optional<std::string_view> FindHeader(const std::vector<HttpHeader>& headers,
                                           std::string_view name) {
  for (const HttpHeader& header : headers) {
    if (EqualsIgnoringCase(header.name, name)) return std::string_view(header.value);
  }
  return std::nullopt;
}

Result<std::optional<HttpResponse>> ParseHttp1Response(std::string_view bytes, bool closed,
                                                       bool head_request) {
  using Incomplete = std::optional<HttpResponse>;
  size_t head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (closed) return Status::Error("connection closed before the response's headers ended");
    return Incomplete();
  }
  std::string_view head = bytes.substr(0, head_end + kCrlf.size());
  std::string_view rest = bytes.substr(head_end + 4);

  // "HTTP/1.1 200 OK"
  size_t line_end = head.find(kCrlf);
  std::string_view status_line = head.substr(0, line_end);
  size_t status = 0;
  if (status_line.substr(0, 7) != "HTTP/1." || status_line.size() < 12 || status_line[8] != ' ' ||
      !ParseSize(status_line.substr(9, 3), 10, &status) || status < 100) {
    return Status::Error("not an HTTP/1 status line: '" + std::string(status_line.substr(0, 40)) +
                         "'");
  }
  HttpResponse response;
  response.status = static_cast<int>(status);
  for (size_t at = line_end + kCrlf.size(); at < head.size();) {
    size_t end = head.find(kCrlf, at);
    std::string_view line = head.substr(at, end - at);
    at = end + kCrlf.size();
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Status::Error("bad header line '" + std::string(line.substr(0, 40)) + "'");
    }
    response.headers.push_back(
        {std::string(line.substr(0, colon)), std::string(Trim(line.substr(colon + 1)))});
  }

  // RFC 9112 6.3: no body for HEAD, 1xx, 204 and 304; chunked wins over Content-Length.
  if (head_request || status < 200 || status == 204 || status == 304) {
    return Incomplete(std::move(response));
  }
  std::optional<std::string_view> coding = FindHeader(response.headers, "Transfer-Encoding");
  if (coding && EqualsIgnoringCase(Trim(*coding), "chunked")) {
    Result<std::optional<std::string>> body = Dechunk(rest);
    if (!body.ok()) return body.status();
    if (!body->has_value()) {
      if (closed) return Status::Error("connection closed inside a chunked body");
      return Incomplete();
    }
    response.body = std::move(**body);
    return Incomplete(std::move(response));
  }
  if (coding) return Status::Error("unsupported Transfer-Encoding '" + std::string(*coding) + "'");
  if (std::optional<std::string_view> length = FindHeader(response.headers, "Content-Length")) {
    size_t size = 0;
    if (!ParseSize(Trim(*length), 10, &size)) {
      return Status::Error("bad Content-Length '" + std::string(*length) + "'");
    }
    if (rest.size() < size) {
      if (closed) {
        return Status::Error("connection closed after " + std::to_string(rest.size()) + " of " +
                             std::to_string(size) + " body bytes");
      }
      return Incomplete();
    }
    response.body = std::string(rest.substr(0, size));
    return Incomplete(std::move(response));
  }
  if (!closed) return Incomplete();
  response.body = std::string(rest);
  return Incomplete(std::move(response));
}

}  // namespace i2kit::aws
