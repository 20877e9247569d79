// The entries of a built initrd, for the tests of what `build` (and `push`, which builds)
// put in it.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

namespace i2kit::testing {

struct InitrdEntry {
  mode_t type = 0;
  std::string data;  // a file's data or a symlink's target; "" for the rest
};

// Every entry of a (compressed) cpio archive by name.
inline std::map<std::string, InitrdEntry> ListInitrd(const std::filesystem::path& path) {
  std::map<std::string, InitrdEntry> out;
  archive* reader = archive_read_new();
  archive_read_support_filter_all(reader);
  archive_read_support_format_cpio(reader);
  EXPECT_EQ(archive_read_open_filename(reader, path.c_str(), 1 << 16), ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
    InitrdEntry e;
    e.type = archive_entry_filetype(entry);
    if (e.type == AE_IFLNK) e.data = archive_entry_symlink(entry);
    char buffer[1 << 16];
    for (la_ssize_t n; (n = archive_read_data(reader, buffer, sizeof buffer)) > 0;)
      e.data.append(buffer, static_cast<size_t>(n));
    out[archive_entry_pathname(entry)] = e;
  }
  archive_read_free(reader);
  return out;
}

}  // namespace i2kit::testing
