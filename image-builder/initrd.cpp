#include "image-builder/initrd.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "image-builder/run_tool.h"

namespace i2kit {
namespace {

std::string Normalize(const std::string& path) {
  std::string p = path;
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  return p;
}

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

}  // namespace

void InitrdBuilder::AddParents(const std::string& path) {
  for (size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    entries_.emplace(path.substr(0, slash), Entry{Entry::Kind::kDirectory, 0755, {}, 0, 0});
  }
}

void InitrdBuilder::AddDirectory(const std::string& path, mode_t mode) {
  std::string p = Normalize(path);
  AddParents(p);
  entries_[p] = {Entry::Kind::kDirectory, mode, {}, 0, 0};
}

void InitrdBuilder::AddFile(const std::string& path, const std::string& source, mode_t mode) {
  std::string p = Normalize(path);
  AddParents(p);
  entries_[p] = {Entry::Kind::kFile, mode, source, 0, 0};
}

void InitrdBuilder::AddData(const std::string& path, std::string data, mode_t mode) {
  std::string p = Normalize(path);
  AddParents(p);
  entries_[p] = {Entry::Kind::kData, mode, std::move(data), 0, 0};
}

void InitrdBuilder::AddSymlink(const std::string& path, const std::string& target) {
  std::string p = Normalize(path);
  AddParents(p);
  entries_[p] = {Entry::Kind::kSymlink, 0777, target, 0, 0};
}

void InitrdBuilder::AddCharDevice(const std::string& path, unsigned major, unsigned minor,
                                  mode_t mode) {
  std::string p = Normalize(path);
  AddParents(p);
  entries_[p] = {Entry::Kind::kCharDevice, mode, {}, major, minor};
}

Status InitrdBuilder::Write(const std::string& output) const {
  std::unique_ptr<archive, ArchiveDeleter> a(archive_write_new());
  archive_write_set_format_cpio_newc(a.get());
  // zstd at level 19: the agent is the archive's one compressible file (the system EROFS is
  // compressed already), and it shrinks ~270 kB more than with gzip, which keeps kernel + initrd
  // under 8 MiB; the kernel (CONFIG_RD_ZSTD) unpacks it in ~20 ms. zstd's frame carries no time.
  archive_write_add_filter_zstd(a.get());
  archive_write_set_filter_option(a.get(), "zstd", "compression-level", "19");
  if (archive_write_open_filename(a.get(), output.c_str()) != ARCHIVE_OK) {
    return Status::Error("cannot write " + output + ": " + archive_error_string(a.get()));
  }
  unsigned ino = 1;
  for (const auto& [path, entry] : entries_) {
    std::string data;
    if (entry.kind == Entry::Kind::kFile) {
      std::ifstream in(entry.source, std::ios::binary);
      if (!in) return Status::Error("initrd: cannot read " + entry.source + " for /" + path);
      std::stringstream text;
      text << in.rdbuf();
      data = text.str();
    } else if (entry.kind == Entry::Kind::kData || entry.kind == Entry::Kind::kSymlink) {
      data = entry.source;
    }
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_mtime(e.get(), 0, 0);
    archive_entry_set_ino(e.get(), ino++);  // sequential: no host inode numbers leak in
    archive_entry_set_nlink(e.get(), entry.kind == Entry::Kind::kDirectory ? 2 : 1);
    archive_entry_set_size(e.get(), 0);  // libarchive wants a size on every entry
    switch (entry.kind) {
      case Entry::Kind::kDirectory:
        archive_entry_set_filetype(e.get(), AE_IFDIR);
        break;
      case Entry::Kind::kFile:
      case Entry::Kind::kData:
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
        break;
      case Entry::Kind::kSymlink:
        archive_entry_set_filetype(e.get(), AE_IFLNK);
        archive_entry_set_symlink(e.get(), data.c_str());
        data.clear();
        break;
      case Entry::Kind::kCharDevice:
        archive_entry_set_filetype(e.get(), AE_IFCHR);
        archive_entry_set_rdev(e.get(), makedev(entry.major, entry.minor));
        break;
    }
    archive_entry_set_perm(e.get(), entry.mode);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK ||
        (!data.empty() && archive_write_data(a.get(), data.data(), data.size()) !=
                              static_cast<la_ssize_t>(data.size()))) {
      return Status::Error("initrd: writing /" + path + ": " + archive_error_string(a.get()));
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return Status::Error("cannot finish " + output + ": " + archive_error_string(a.get()));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> SharedLibrariesOf(const std::string& binary) {
  std::vector<std::string> libraries;
  // ldd prints "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" and
  // "/lib64/ld-linux-x86-64.so.2 (0x…)"; a static binary: "not a dynamic executable".
  Result<ToolOutput> out = RunTool({"ldd", binary});
  if (!out.ok()) {
    // ldd exits 1 for a static binary, saying "not a dynamic executable".
    if (out.status().message().find("not a dynamic executable") != std::string::npos)
      return libraries;
    return out.status().WithContext("listing the libraries of " + binary);
  }
  std::istringstream lines(out->out);
  for (std::string line; std::getline(lines, line);) {
    size_t arrow = line.find("=> ");
    std::string rest = arrow == std::string::npos ? line : line.substr(arrow + 3);
    size_t start = rest.find('/');
    if (start == std::string::npos) continue;  // linux-vdso.so.1 has no file
    size_t end = rest.find(' ', start);
    libraries.push_back(rest.substr(start, end == std::string::npos ? end : end - start));
  }
  return libraries;
}

}  // namespace i2kit
