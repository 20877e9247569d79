#include "image-builder/kernel_initrd_reader.h"

#include <zlib.h>

#include <fstream>
#include <sstream>

namespace i2kit::test_util {
namespace {

size_t Align4(size_t n) { return (n + 3) & ~size_t{3}; }

// Inflates the gzip member at the start of `in`; `consumed` gets its length.
Result<std::string> Gunzip(std::string_view in, size_t& consumed) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Status::Error("inflateInit2");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buffer[1 << 16];
  int result = Z_OK;
  while (result == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    result = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  consumed = z.total_in;
  inflateEnd(&z);
  if (result != Z_STREAM_END) return Status::Error("gzip data ends badly (zlib " + std::to_string(result) + ")");
  return out;
}

// Reads the newc archive at the start of `in` into `files`; returns its length.
Result<size_t> ReadNewc(std::string_view in, int archive, std::map<std::string, InitrdFile>& files) {
  size_t at = 0;
  while (true) {
    if (in.size() < at + 110 || in.substr(at, 6) != "070701") {
      return Status::Error("no newc header at offset " + std::to_string(at));
    }
    auto field = [&](int i) { return std::stoul(std::string(in.substr(at + 6 + 8 * i, 8)), nullptr, 16); };
    unsigned long mode = field(1), size = field(6), major = field(9), minor = field(10),
                  name_size = field(11);
    if (name_size == 0 || in.size() < at + 110 + name_size) return Status::Error("truncated name");
    std::string name(in.substr(at + 110, name_size - 1));
    size_t data_at = Align4(at + 110 + name_size);
    if (in.size() < data_at + size) return Status::Error("truncated data of " + name);
    at = Align4(data_at + size);
    if (name == "TRAILER!!!") return at;
    files[name] = {static_cast<mode_t>(mode), std::string(in.substr(data_at, size)),
                   static_cast<unsigned>(major), static_cast<unsigned>(minor), archive};
  }
}

}  // namespace

Result<std::map<std::string, InitrdFile>> ReadInitrdLikeTheKernel(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::Error("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  std::string bytes = text.str();
  std::map<std::string, InitrdFile> files;
  std::string_view rest(bytes);
  for (int archive = 0; !rest.empty();) {
    // The kernel looks for a plain archive only at a 4-byte boundary of the initrd.
    size_t offset = bytes.size() - rest.size();
    if (rest.front() == 0) {
      rest.remove_prefix(1);
      continue;
    }
    if (rest.starts_with("070701")) {
      if (offset % 4 != 0) return Status::Error("a plain archive at unaligned offset " + std::to_string(offset));
      Result<size_t> length = ReadNewc(rest, archive++, files);
      if (!length.ok()) return length.status();
      rest.remove_prefix(std::min(*length, rest.size()));
    } else if (rest.starts_with("\x1f\x8b")) {
      size_t consumed = 0;
      Result<std::string> inflated = Gunzip(rest, consumed);
      if (!inflated.ok()) return inflated.status();
      Result<size_t> length = ReadNewc(*inflated, archive++, files);
      if (!length.ok()) return length.status();
      rest.remove_prefix(consumed);
    } else {
      return Status::Error("neither an archive nor zeros at offset " + std::to_string(offset));
    }
  }
  return files;
}

}  // namespace i2kit::test_util
