#include "aws-client/shared_config_file.h"

#include <algorithm>
#include <cctype>

namespace i2kit::aws {
namespace {

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

std::string ToLower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

}  // namespace

const ConfigValue* ConfigSection::Find(std::string_view key) const {
  auto it = values.find(std::string(key));
  return it == values.end() ? nullptr : &it->second;
}

const ConfigSection* SharedConfigFile::Find(std::string_view name) const {
  for (const ConfigSection& section : sections) {
    if (section.name == name) return &section;
  }
  return nullptr;
}

Result<SharedConfigFile> ParseSharedConfigFile(std::string_view text, std::string path) {
  SharedConfigFile file;
  file.path = std::move(path);
  ConfigValue* last_value = nullptr;
  int line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    auto error = [&](std::string_view expected) {
      return Status::Error(file.path + ":" + std::to_string(line_number) + ": expected " +
                           std::string(expected) + ", got '" + std::string(Trim(raw)) + "'");
    };

    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (IsBlank(raw.front()) && last_value != nullptr) {
      last_value->value += "\n" + std::string(line);
      continue;
    }
    if (line.front() == '[') {
      if (line.back() != ']') return error("a section header '[name]'");
      std::string name(Trim(line.substr(1, line.size() - 2)));
      if (name.empty()) return error("a section name between the brackets");
      if (const ConfigSection* earlier = file.Find(name)) {
        return error("each section once ([" + name + "] is also at line " +
                     std::to_string(earlier->line) + ")");
      }
      file.sections.push_back(ConfigSection{name, line_number, {}});
      last_value = nullptr;
      continue;
    }
    size_t delimiter = line.find_first_of("=:");
    if (delimiter == std::string_view::npos) {
      return error("'[section]', 'key = value' or a comment");
    }
    std::string key = ToLower(Trim(line.substr(0, delimiter)));
    if (key.empty()) return error("a key before '" + std::string(1, line[delimiter]) + "'");
    if (file.sections.empty()) return error("a '[section]' before the first key");
    ConfigValue& value = file.sections.back().values[key];
    value = ConfigValue{std::string(Trim(line.substr(delimiter + 1))), line_number};
    last_value = &value;
  }
  return file;
}

}  // namespace i2kit::aws
