#include "common/service_directory.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/names.h"

namespace i2kit {
namespace {

// A DNS domain: dot-separated DNS-1123 labels, 253 characters at most.
std::string CheckDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return "must be 1-253 characters";
  size_t start = 0;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? domain.npos : dot - start);
    if (std::string problem = CheckDns1123Label(label); !problem.empty()) return problem;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return "";
}

}  // namespace

std::string CheckServiceDomain(std::string_view domain) {
  return CheckDomain(domain);
}

const DirectoryEntry* ServiceDirectory::Find(std::string_view dns_name) const {
  std::string name(dns_name);
  if (!name.empty() && name.back() == '.') name.pop_back();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string suffix = "." + domain;
  if (name.size() > suffix.size() && name.ends_with(suffix)) {
    name.resize(name.size() - suffix.size());
  }
  for (const DirectoryEntry& entry : entries) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::string DirectoryToJson(const ServiceDirectory& directory) {
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const DirectoryEntry& entry : directory.entries) {
    nlohmann::ordered_json ports = nlohmann::ordered_json::array();
    for (const DirectoryPort& p : entry.ports) {
      ports.push_back({{"port", p.port}, {"hostPorts", p.host_ports}});
    }
    entries.push_back({{"name", entry.name}, {"ports", ports}});
  }
  return nlohmann::ordered_json{{"domain", directory.domain}, {"entries", entries}}.dump();
}

Result<ServiceDirectory> DirectoryFromJson(std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::Error("service directory: not a JSON object");
  try {
    ServiceDirectory directory;
    directory.domain = json.at("domain").get<std::string>();
    if (std::string problem = CheckDomain(directory.domain); !problem.empty()) {
      return Status::Error("service directory: domain: " + problem);
    }
    for (const nlohmann::json& e : json.at("entries")) {
      DirectoryEntry entry;
      entry.name = e.at("name").get<std::string>();
      if (std::string problem = CheckDns1123Label(entry.name); !problem.empty()) {
        return Status::Error("service directory: name '" + entry.name + "': " + problem);
      }
      for (const nlohmann::json& p : e.at("ports")) {
        DirectoryPort port{p.at("port").get<int>(), p.at("hostPorts").get<std::vector<int>>()};
        auto out_of_range = [](int n) { return n < 1 || n > 65535; };
        if (out_of_range(port.port) ||
            std::any_of(port.host_ports.begin(), port.host_ports.end(), out_of_range)) {
          return Status::Error("service directory: " + entry.name + ": port out of range");
        }
        if (port.host_ports.empty() || port.host_ports.size() > kMaxDirectoryBackends) {
          return Status::Error("service directory: " + entry.name + ": 1 to " +
                               std::to_string(kMaxDirectoryBackends) + " host ports per port");
        }
        std::sort(port.host_ports.begin(), port.host_ports.end());
        entry.ports.push_back(std::move(port));
      }
      directory.entries.push_back(std::move(entry));
    }
    std::sort(directory.entries.begin(), directory.entries.end(),
              [](const DirectoryEntry& a, const DirectoryEntry& b) { return a.name < b.name; });
    for (size_t i = 1; i < directory.entries.size(); ++i) {
      if (directory.entries[i].name == directory.entries[i - 1].name) {
        return Status::Error("service directory: " + directory.entries[i].name + " twice");
      }
    }
    return directory;
  } catch (const nlohmann::json::exception& e) {
    return Status::Error(std::string("service directory: ") + e.what());
  }
}

}  // namespace i2kit
