#include "guest-agent/process_spec.h"

#include <algorithm>

namespace i2kit {
namespace {

// Environment entries in order, a later NAME replacing an earlier one's value in place.
class Environment {
 public:
  void Set(const std::string& entry) {
    // An image entry without '=' is passed on as written, as Docker does; it names itself.
    std::string name = entry.substr(0, entry.find('='));
    auto same = [&](const std::string& e) { return e.substr(0, e.find('=')) == name; };
    auto it = std::find_if(entries_.begin(), entries_.end(), same);
    if (it == entries_.end()) {
      entries_.push_back(entry);
    } else {
      *it = entry;
    }
  }
  std::vector<std::string> Take() { return std::move(entries_); }

 private:
  std::vector<std::string> entries_;
};

std::vector<std::string> Expanded(const std::vector<std::string>& words,
                                  const std::map<std::string, std::string>& vars) {
  std::vector<std::string> out;
  out.reserve(words.size());
  for (const std::string& word : words) out.push_back(ExpandVariableReferences(word, vars));
  return out;
}

}  // namespace

std::string ExpandVariableReferences(std::string_view input,
                                     const std::map<std::string, std::string>& vars) {
  std::string out;
  size_t i = 0;
  while (i < input.size()) {
    if (input[i] != '$' || i + 1 == input.size()) {
      out += input[i++];
      continue;
    }
    char next = input[i + 1];
    if (next == '$') {  // "$$": an escaped '$'
      out += '$';
      i += 2;
      continue;
    }
    size_t close = next == '(' ? input.find(')', i + 2) : std::string_view::npos;
    if (close == std::string_view::npos) {  // not a reference, or never closed: kept as is
      out += input.substr(i, 2);
      i += 2;
      continue;
    }
    std::string name(input.substr(i + 2, close - i - 2));
    auto found = vars.find(name);
    out += found != vars.end() ? found->second : "$(" + name + ")";
    i = close + 1;
  }
  return out;
}

Result<ProcessSpec> BuildProcessSpec(const Container& container, const ImageConfig& image,
                                     const std::string& hostname, std::string_view passwd,
                                     std::string_view group) {
  ProcessSpec spec;
  std::map<std::string, std::string> vars;  // the manifest's env, expanded in order
  Environment env;
  env.Set("HOSTNAME=" + hostname);
  for (const std::string& entry : image.env) env.Set(entry);
  for (const EnvVar& var : container.env) {
    std::string value = ExpandVariableReferences(var.value, vars);
    vars[var.name] = value;
    env.Set(var.name + "=" + value);
  }
  spec.env = env.Take();
  if (std::none_of(spec.env.begin(), spec.env.end(),
                   [](const std::string& e) { return e.starts_with("PATH="); })) {
    spec.env.insert(spec.env.begin(), std::string("PATH=") + kDefaultPath);
  }

  if (!container.command.empty()) {
    spec.args = Expanded(container.command, vars);
    std::vector<std::string> args = Expanded(container.args, vars);
    spec.args.insert(spec.args.end(), args.begin(), args.end());
  } else {
    spec.args = image.entrypoint;
    std::vector<std::string> args =
        container.args.empty() ? image.cmd : Expanded(container.args, vars);
    spec.args.insert(spec.args.end(), args.begin(), args.end());
  }
  if (spec.args.empty()) {
    return Status::Error(
        "container " + container.name +
        ": nothing to run: set command, or use an image with an Entrypoint or Cmd");
  }

  spec.cwd = !container.working_dir.empty() ? container.working_dir
             : !image.working_dir.empty()   ? image.working_dir
                                            : "/";
  if (spec.cwd.front() != '/') {
    return Status::Error("container " + container.name + ": working directory '" + spec.cwd +
                         "' is not absolute");
  }

  Result<ContainerUser> user = ResolveContainerUser(container, image, passwd, group);
  if (!user.ok()) return user.status();
  spec.user = *user;
  return spec;
}

}  // namespace i2kit
