// The INI dialect of the AWS shared files (~/.aws/credentials, ~/.aws/config), as the AWS CLI
// reads them: `[section]` headers, `key = value` (or `key: value`) lines, `#` and `;` comment
// lines, and indented lines that continue the key above (the nested `s3 =` settings).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace i2kit::aws {

struct ConfigValue {
  std::string value;
  int line = 0;  // 1-based, for messages that point into the file
};

struct ConfigSection {
  std::string name;  // as written between the brackets, trimmed: "default", "profile dev"
  int line = 0;
  std::map<std::string, ConfigValue> values;  // keys lower-cased, as the CLI does

  // The value of `key`, or nullptr.
  const ConfigValue* Find(std::string_view key) const;
};

struct SharedConfigFile {
  std::string path;  // named in every message about this file
  std::vector<ConfigSection> sections;

  // The section named exactly `name`, or nullptr.
  const ConfigSection* Find(std::string_view name) const;
};

// Parses `text`, the contents of the file at `path`. Fails with "path:line: expected …" on a
// line that is neither a section, a key, a comment nor a continuation, on a key before any
// section, and on a section that appears twice (the CLI refuses those too).
Result<SharedConfigFile> ParseSharedConfigFile(std::string_view text, std::string path);

}  // namespace i2kit::aws
