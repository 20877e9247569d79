#include "common/image_reference.h"

#include <cctype>

namespace i2kit {
namespace {

constexpr std::string_view kDefaultRegistry = "docker.io";
constexpr size_t kMaxNameLength = 255;  // distribution/reference's limit on a repository name

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool IsAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// A path component: lower-case alphanumerics joined by ".", "_", "__" or runs of "-".
bool IsPathComponent(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (IsLowerAlnum(s[i])) continue;
    size_t j = i;
    while (j < s.size() && !IsLowerAlnum(s[j])) ++j;
    std::string_view sep = s.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (sep != "." && sep != "_" && sep != "__" && !dashes) return false;
    i = j - 1;
  }
  return true;
}

// A registry host: DNS-like components separated by dots, an optional :port.
bool IsRegistryHost(std::string_view s) {
  size_t colon = s.rfind(':');
  std::string_view host = s.substr(0, colon);
  if (colon != std::string_view::npos) {
    std::string_view port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
  }
  if (host.empty()) return false;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    std::string_view part = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty() || !IsAlnum(part.front()) || !IsAlnum(part.back())) return false;
    for (char c : part) {
      if (!IsAlnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool IsTag(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  auto word = [](char c) { return IsAlnum(c) || c == '_'; };
  if (!word(s.front())) return false;
  for (char c : s) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

bool IsSha256Digest(std::string_view s) {
  constexpr std::string_view kPrefix = "sha256:";
  if (s.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view hex = s.substr(kPrefix.size());
  return hex.size() == 64 && hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Status Malformed(std::string_view text, std::string_view why) {
  return Status::Error("invalid image reference '" + std::string(text) + "': " + std::string(why));
}

Result<ImageReference> ParseRegistryReference(std::string_view text) {
  ImageReference ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    if (!IsSha256Digest(ref.digest)) {
      return Malformed(text, "digest must be sha256: followed by 64 lower-case hex digits");
    }
    rest = rest.substr(0, at);
  }
  // A tag follows the last ':' unless that ':' belongs to a registry's port (it is then
  // followed by a '/').
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && rest.find('/', colon) == std::string_view::npos) {
    ref.tag = std::string(rest.substr(colon + 1));
    if (!IsTag(ref.tag)) {
      return Malformed(
          text, "tag '" + ref.tag + "' must be 1-128 of [A-Za-z0-9_.-], not starting with . or -");
    }
    rest = rest.substr(0, colon);
  }
  // The first component is a registry when it looks like a host, as Docker decides it.
  size_t slash = rest.find('/');
  std::string_view first = rest.substr(0, slash);
  if (slash != std::string_view::npos &&
      (first.find_first_of(".:") != std::string_view::npos || first == "localhost")) {
    if (!IsRegistryHost(first))
      return Malformed(text, "registry host '" + std::string(first) + "' is malformed");
    ref.registry = std::string(first);
    rest = rest.substr(slash + 1);
  } else {
    ref.registry = std::string(kDefaultRegistry);
  }
  if (rest.empty()) return Malformed(text, "repository name is empty");
  if (rest.size() > kMaxNameLength)
    return Malformed(text, "repository name is longer than 255 characters");
  size_t start = 0;
  while (true) {
    size_t next = rest.find('/', start);
    std::string_view component =
        rest.substr(start, next == std::string_view::npos ? next : next - start);
    if (!IsPathComponent(component)) {
      return Malformed(text,
                       "repository component '" + std::string(component) +
                           "' must be lower-case letters and digits separated by . _ __ or -");
    }
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  ref.repository = std::string(rest);
  if (ref.registry == kDefaultRegistry && ref.repository.find('/') == std::string::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

}  // namespace

const char* ImageTransportName(ImageTransport t) {
  switch (t) {
    case ImageTransport::kRegistry:
      return "registry";
    case ImageTransport::kOciLayout:
      return "oci";
    case ImageTransport::kDockerArchive:
      return "docker-archive";
  }
  return "?";
}

std::string ImageReference::Canonical() const {
  switch (transport) {
    case ImageTransport::kOciLayout:
      return "oci:" + path + (tag.empty() ? "" : ":" + tag);
    case ImageTransport::kDockerArchive:
      return "docker-archive:" + path;
    case ImageTransport::kRegistry:
      break;
  }
  std::string out = registry + "/" + repository;
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

Result<ImageReference> ParseImageReference(std::string_view text) {
  if (text.empty()) return Malformed(text, "it is empty");
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) ||
        std::iscntrl(static_cast<unsigned char>(c))) {
      return Malformed(text, "it contains whitespace or control characters");
    }
  }
  constexpr std::string_view kOci = "oci:";
  constexpr std::string_view kArchive = "docker-archive:";
  if (text.substr(0, kOci.size()) == kOci) {
    ImageReference ref;
    ref.transport = ImageTransport::kOciLayout;
    std::string_view rest = text.substr(kOci.size());
    // oci:PATH[:TAG] — a ':' after the last '/' introduces the tag, as in skopeo.
    size_t colon = rest.rfind(':');
    size_t slash = rest.rfind('/');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
      ref.tag = std::string(rest.substr(colon + 1));
      rest = rest.substr(0, colon);
      if (!IsTag(ref.tag))
        return Malformed(text, "tag '" + ref.tag + "' must be 1-128 of [A-Za-z0-9_.-]");
    }
    if (rest.empty()) return Malformed(text, "oci: needs a path to an OCI image layout");
    ref.path = std::string(rest);
    return ref;
  }
  if (text.substr(0, kArchive.size()) == kArchive) {
    ImageReference ref;
    ref.transport = ImageTransport::kDockerArchive;
    ref.path = std::string(text.substr(kArchive.size()));
    if (ref.path.empty()) return Malformed(text, "docker-archive: needs a path to a tarball");
    return ref;
  }
  return ParseRegistryReference(text);
}

}  // namespace i2kit
