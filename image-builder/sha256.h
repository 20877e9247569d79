// SHA-256 content digests, the one algorithm OCI and Docker images use in practice. A digest is
// written "sha256:<64 lower-case hex digits>" (OCI image-spec, descriptor.md).
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace i2kit {

// True when `digest` is "sha256:" and exactly 64 lower-case hex digits. Only such a digest may
// become a file name (blobs/sha256/<hex>): "sha256:../../etc/passwd" never will.
bool IsSha256Digest(std::string_view digest);

// Ok when IsSha256Digest(digest); otherwise an error quoting it and saying what is expected.
Status CheckSha256Digest(std::string_view digest);

// The 64 hex digits of a digest that passed IsSha256Digest.
inline std::string_view DigestHex(std::string_view digest) {
  return digest.substr(7);
}

// `size` bytes as lower-case hex, two digits each.
std::string HexEncode(const unsigned char* data, size_t size);

// Computes a SHA-256 incrementally (OpenSSL EVP).
class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  // "sha256:<hex>" of every byte passed to Update; call once.
  Result<std::string> Finish();

 private:
  struct FreeContext {
    void operator()(EVP_MD_CTX* context) const;
  };
  std::unique_ptr<EVP_MD_CTX, FreeContext> context_;
  bool ok_ = false;
};

// The digest of `data`.
Result<std::string> Sha256Of(std::string_view data);

// The digest of everything `fd` yields from its current offset to its end; errors name `path`.
Result<std::string> Sha256OfFd(int fd, std::string_view path);

// The digest of the file at `path`; errors name it.
Result<std::string> Sha256OfFile(const std::string& path);

}  // namespace i2kit
