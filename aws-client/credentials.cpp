#include "aws-client/credentials.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "common/sys_error.h"

extern char** environ;

namespace i2kit::aws {
namespace {

std::string_view Get(const Environment& environment, std::string_view name) {
  auto it = environment.find(name);
  return it == environment.end() ? std::string_view() : std::string_view(it->second);
}

std::string SharedPath(const Environment& environment, std::string_view variable,
                       std::string_view file_name) {
  std::string_view home = Get(environment, "HOME");
  std::string_view path = Get(environment, variable);
  if (!path.empty()) {
    if (path.starts_with("~/") && !home.empty())
      return std::string(home) + std::string(path.substr(1));
    return std::string(path);
  }
  if (home.empty()) return "";
  return std::string(home) + "/.aws/" + std::string(file_name);
}

// The file's contents; nullopt if it does not exist.
Result<std::optional<std::string>> ReadIfPresent(const std::string& path) {
  if (path.empty()) return std::optional<std::string>();
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return SysError("open", path);
  }
  std::string text;
  char buffer[4096];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      close(fd);
      return SysError("read", path, saved);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return std::optional<std::string>(std::move(text));
}

// The two files parsed (absent ones stay nullopt) and the profile's section in each.
struct Profile {
  std::string name;
  std::optional<SharedConfigFile> credentials_file;
  std::optional<SharedConfigFile> config_file;
  const ConfigSection* credentials_section = nullptr;
  const ConfigSection* config_section = nullptr;

  bool found() const { return credentials_section || config_section; }
};

// In the config file a profile is `[profile NAME]`; `[default]` is the default profile.
const ConfigSection* FindConfigProfile(const SharedConfigFile& file, std::string_view name) {
  for (const ConfigSection& section : file.sections) {
    std::string_view section_name = section.name;
    if (section_name == name && name == "default") return &section;
    if (!section_name.starts_with("profile")) continue;
    section_name.remove_prefix(7);
    if (section_name.empty() || (section_name.front() != ' ' && section_name.front() != '\t')) {
      continue;
    }
    while (!section_name.empty() && (section_name.front() == ' ' || section_name.front() == '\t')) {
      section_name.remove_prefix(1);
    }
    if (section_name == name) return &section;
  }
  return nullptr;
}

// Parses the files and finds the profile. `Profile` refers into its own optionals, so it is
// built in place and never copied.
Status LoadProfile(const SharedFiles& files, std::string name, Profile& profile) {
  profile.name = std::move(name);
  if (files.credentials_text) {
    Result<SharedConfigFile> parsed =
        ParseSharedConfigFile(*files.credentials_text, files.credentials_path);
    if (!parsed.ok()) return parsed.status();
    profile.credentials_file = std::move(parsed).value();
    profile.credentials_section = profile.credentials_file->Find(profile.name);
  }
  if (files.config_text) {
    Result<SharedConfigFile> parsed = ParseSharedConfigFile(*files.config_text, files.config_path);
    if (!parsed.ok()) return parsed.status();
    profile.config_file = std::move(parsed).value();
    profile.config_section = FindConfigProfile(*profile.config_file, profile.name);
  }
  return Status::Ok();
}

std::string Where(const std::string& path, int line) {
  return path + ":" + std::to_string(line);
}

// The keys a profile section holds: nullopt when it has none, an error when half a pair.
Result<std::optional<Credentials>> KeysOf(const ConfigSection& section, const std::string& path,
                                          std::string_view profile) {
  const ConfigValue* id = section.Find("aws_access_key_id");
  const ConfigValue* secret = section.Find("aws_secret_access_key");
  const ConfigValue* token = section.Find("aws_session_token");
  std::string who = "profile '" + std::string(profile) + "'";
  if (!id && !secret) return std::optional<Credentials>();
  if (id && !secret) {
    return Status::Error(Where(path, id->line) + ": " + who +
                         " sets aws_access_key_id but not aws_secret_access_key: expected both");
  }
  if (secret && !id) {
    return Status::Error(Where(path, secret->line) + ": " + who +
                         " sets aws_secret_access_key but not aws_access_key_id: expected both");
  }
  for (const ConfigValue* value : {id, secret}) {
    if (value->value.empty()) {
      return Status::Error(Where(path, value->line) + ": " + who +
                           " has an empty key: expected a value after '='");
    }
  }
  Credentials credentials;
  credentials.access_key_id = id->value;
  credentials.secret_access_key = secret->value;
  if (token) credentials.session_token = token->value;
  return std::optional<Credentials>(std::move(credentials));
}

// Ways a profile can get credentials that this client does not implement; failing loudly beats
// silently falling through to another identity.
Status CheckNoUnsupportedSource(const ConfigSection& section, const std::string& path,
                                std::string_view profile) {
  for (std::string_view key : {"role_arn", "credential_process", "sso_session", "sso_start_url",
                               "web_identity_token_file"}) {
    if (const ConfigValue* value = section.Find(key)) {
      return Status::Error(Where(path, value->line) + ": profile '" + std::string(profile) +
                           "' uses " + std::string(key) +
                           ", which i2kit does not support: expected aws_access_key_id and "
                           "aws_secret_access_key");
    }
  }
  return Status::Ok();
}

std::string FilesNamed(const SharedFiles& files) {
  return files.credentials_path + " or " + files.config_path;
}

}  // namespace

Environment CurrentEnvironment() {
  Environment environment;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view variable(*entry);
    size_t equals = variable.find('=');
    if (equals == std::string_view::npos) continue;
    environment.emplace(variable.substr(0, equals), variable.substr(equals + 1));
  }
  return environment;
}

std::string SharedCredentialsPath(const Environment& environment) {
  return SharedPath(environment, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
}

std::string SharedConfigPath(const Environment& environment) {
  return SharedPath(environment, "AWS_CONFIG_FILE", "config");
}

Result<SharedFiles> ReadSharedFiles(const Environment& environment) {
  SharedFiles files;
  files.credentials_path = SharedCredentialsPath(environment);
  files.config_path = SharedConfigPath(environment);
  Result<std::optional<std::string>> credentials = ReadIfPresent(files.credentials_path);
  if (!credentials.ok()) return credentials.status();
  files.credentials_text = std::move(credentials).value();
  Result<std::optional<std::string>> config = ReadIfPresent(files.config_path);
  if (!config.ok()) return config.status();
  files.config_text = std::move(config).value();
  return files;
}

std::string ProfileName(const Environment& environment, std::string_view explicit_profile) {
  if (!explicit_profile.empty()) return std::string(explicit_profile);
  std::string_view from_environment = Get(environment, "AWS_PROFILE");
  return from_environment.empty() ? "default" : std::string(from_environment);
}

Result<ResolvedCredentials> ResolveCredentials(const Environment& environment,
                                               const SharedFiles& files,
                                               std::string_view explicit_profile,
                                               const InstanceRoleCredentials& instance_role) {
  if (explicit_profile.empty()) {
    std::string_view id = Get(environment, "AWS_ACCESS_KEY_ID");
    std::string_view secret = Get(environment, "AWS_SECRET_ACCESS_KEY");
    if (!id.empty() && secret.empty()) {
      return Status::Error(
          "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: expected both");
    }
    if (id.empty() && !secret.empty()) {
      return Status::Error(
          "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: expected both");
    }
    if (!id.empty()) {
      ResolvedCredentials resolved;
      resolved.credentials.access_key_id = std::string(id);
      resolved.credentials.secret_access_key = std::string(secret);
      resolved.credentials.session_token = std::string(Get(environment, "AWS_SESSION_TOKEN"));
      resolved.source = "environment";
      return resolved;
    }
  }

  Profile profile;
  Status loaded = LoadProfile(files, ProfileName(environment, explicit_profile), profile);
  if (!loaded.ok()) return loaded;
  bool named = profile.name != "default";
  if (named && !profile.found()) {
    return Status::Error("profile '" + profile.name + "' not found in " + FilesNamed(files));
  }
  // The credentials file wins over the config file, as in the CLI.
  std::pair<const ConfigSection*, const std::string*> sections[] = {
      {profile.credentials_section, &files.credentials_path},
      {profile.config_section, &files.config_path}};
  for (const auto& [section, path] : sections) {
    if (!section) continue;
    Result<std::optional<Credentials>> keys = KeysOf(*section, *path, profile.name);
    if (!keys.ok()) return keys.status();
    if (keys->has_value()) {
      return ResolvedCredentials{std::move(keys).value().value(),
                                 "profile '" + profile.name + "' in " + *path};
    }
  }
  for (const auto& [section, path] : sections) {
    if (!section) continue;
    Status supported = CheckNoUnsupportedSource(*section, *path, profile.name);
    if (!supported.ok()) return supported;
  }

  std::string tried = "no AWS credentials in the environment or in profile '" + profile.name +
                      "' (" + FilesNamed(files) + ")";
  if (!instance_role) return Status::Error(tried + ", and no instance role to ask");
  Result<Credentials> from_instance = instance_role();
  if (!from_instance.ok()) {
    return from_instance.status().WithContext(tried + "; instance role");
  }
  return ResolvedCredentials{std::move(from_instance).value(), "instance role"};
}

Result<std::string> ResolveRegion(const Environment& environment, const SharedFiles& files,
                                  std::string_view explicit_profile) {
  for (std::string_view variable : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string_view region = Get(environment, variable);
    if (!region.empty()) return std::string(region);
  }
  Profile profile;
  Status loaded = LoadProfile(files, ProfileName(environment, explicit_profile), profile);
  if (!loaded.ok()) return loaded;
  if (profile.name != "default" && !profile.found()) {
    return Status::Error("profile '" + profile.name + "' not found in " + FilesNamed(files));
  }
  for (const ConfigSection* section : {profile.config_section, profile.credentials_section}) {
    if (!section) continue;
    if (const ConfigValue* region = section->Find("region"); region && !region->value.empty()) {
      return region->value;
    }
  }
  return Status::Error("no AWS region: set AWS_REGION or 'region' in profile '" + profile.name +
                       "' of " + files.config_path);
}

}  // namespace i2kit::aws
