#include "image-builder/sha256.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>

#include "common/sys_error.h"
#include "common/unique_fd.h"

namespace i2kit {

bool IsSha256Digest(std::string_view digest) {
  constexpr std::string_view kPrefix = "sha256:";
  if (digest.size() != kPrefix.size() + 64 || !digest.starts_with(kPrefix)) return false;
  for (char c : digest.substr(kPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status CheckSha256Digest(std::string_view digest) {
  if (IsSha256Digest(digest)) return Status::Ok();
  return Status::Error("invalid digest \"" + std::string(digest) +
                       "\" (expected sha256: and 64 lower-case hex digits)");
}

void Sha256::FreeContext::operator()(EVP_MD_CTX* context) const {
  EVP_MD_CTX_free(context);
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  ok_ = context_ != nullptr && EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) == 1;
}

void Sha256::Update(const void* data, size_t size) {
  if (ok_ && size > 0) ok_ = EVP_DigestUpdate(context_.get(), data, size) == 1;
}

Result<std::string> Sha256::Finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
  unsigned int length = 0;
  if (!ok_ || EVP_DigestFinal_ex(context_.get(), hash.data(), &length) != 1 || length != 32) {
    return Status::Error("OpenSSL SHA-256 failed");
  }
  ok_ = false;
  return "sha256:" + HexEncode(hash.data(), length);
}

std::string HexEncode(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    hex += kHex[data[i] >> 4];
    hex += kHex[data[i] & 0xf];
  }
  return hex;
}

Result<std::string> Sha256Of(std::string_view data) {
  Sha256 sha;
  sha.Update(data.data(), data.size());
  return sha.Finish();
}

Result<std::string> Sha256OfFd(int fd, std::string_view path) {
  Sha256 sha;
  std::array<char, 1 << 16> buffer;
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SysError("read", path);
    if (n == 0) break;
    sha.Update(buffer.data(), static_cast<size_t>(n));
  }
  return sha.Finish();
}

Result<std::string> Sha256OfFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return SysError("open", path);
  return Sha256OfFd(fd.get(), path);
}

}  // namespace i2kit
