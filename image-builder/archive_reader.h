// Ownership of a libarchive reader, and the one way this code reads entry names from it.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>

namespace i2kit {

struct ArchiveReadFree {
  void operator()(archive* reader) const { archive_read_free(reader); }
};
using ArchiveReader = std::unique_ptr<archive, ArchiveReadFree>;

// A name as the archive stores it. libarchive converts pax names (UTF-8) to the locale's
// charset, which fails for non-ASCII names under the C locale; file names are bytes, so the
// UTF-8 form is the right fallback. `mbs` and `utf8` are the two forms of one name.
inline std::string EntryName(const char* mbs, const char* utf8) {
  if (mbs != nullptr) return mbs;
  return utf8 != nullptr ? utf8 : "";
}

// The entry's path name, by EntryName's rule.
inline std::string EntryPathname(archive_entry* entry) {
  return EntryName(archive_entry_pathname(entry), archive_entry_pathname_utf8(entry));
}

// libarchive's description of its last error, or a stand-in when it has none.
inline std::string ArchiveError(archive* reader) {
  const char* message = archive_error_string(reader);
  return message != nullptr ? message : "unknown libarchive error";
}

}  // namespace i2kit
