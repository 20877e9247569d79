#include "guest-agent/container_user.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>

namespace i2kit {
namespace {

// uid_t (uint32_t) -1 means "no change" to the kernel's set*id calls.
constexpr int64_t kMaxId = 4294967294;

struct Entry {
  std::string name;
  uint32_t id = 0;                   // uid in passwd, gid in group
  uint32_t group_id = 0;             // passwd only: the primary gid
  std::vector<std::string> members;  // group only
};

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

std::optional<uint32_t> ParseId(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0 ||
      value > kMaxId) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

// Lines of /etc/passwd ("name:x:uid:gid:…") or /etc/group ("name:x:gid:a,b"); lines that do
// not parse are skipped, as glibc skips them.
std::vector<Entry> ParseDatabase(std::string_view text, bool is_group) {
  std::vector<Entry> entries;
  for (std::string_view line : Split(text, '\n')) {
    std::vector<std::string_view> fields = Split(line, ':');
    if (fields.size() < 4 || fields[0].empty()) continue;
    std::optional<uint32_t> id = ParseId(fields[2]);
    if (!id) continue;
    Entry entry{std::string(fields[0]), *id, 0, {}};
    if (is_group) {
      for (std::string_view member : Split(fields[3], ',')) {
        if (!member.empty()) entry.members.emplace_back(member);
      }
    } else {
      std::optional<uint32_t> gid = ParseId(fields[3]);
      if (!gid) continue;
      entry.group_id = *gid;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

// The first entry with this name (or, for a number, this id): glibc's lookup order.
const Entry* Find(const std::vector<Entry>& entries, std::string_view name_or_id) {
  std::optional<uint32_t> id = ParseId(name_or_id);
  for (const Entry& e : entries) {
    if (id ? e.id == *id : e.name == name_or_id) return &e;
  }
  return nullptr;
}

}  // namespace

Result<ContainerUser> ResolveContainerUser(const Container& container, const ImageConfig& image,
                                           std::string_view passwd, std::string_view group) {
  const SecurityContext& security = container.security_context;
  auto fail = [&](const std::string& what) {
    return Status::Error("container " + container.name + ": " + what);
  };
  std::vector<Entry> users = ParseDatabase(passwd, false);
  std::vector<Entry> groups = ParseDatabase(group, true);

  std::string_view image_user = image.user;
  std::string_view image_group;
  if (size_t colon = image_user.find(':'); colon != std::string_view::npos) {
    image_group = image_user.substr(colon + 1);
    image_user = image_user.substr(0, colon);
  }

  ContainerUser user;
  const Entry* entry = nullptr;
  if (security.run_as_user) {
    if (*security.run_as_user < 0 || *security.run_as_user > kMaxId)
      return fail("runAsUser " + std::to_string(*security.run_as_user) + " is out of range");
    user.uid = static_cast<uint32_t>(*security.run_as_user);
    entry = Find(users, std::to_string(user.uid));
  } else if (image_user.empty()) {
    entry = Find(users, "0");  // an image without a User runs as root
  } else if (std::optional<uint32_t> uid = ParseId(image_user)) {
    user.uid = *uid;
    entry = Find(users, image_user);
  } else {
    entry = Find(users, image_user);
    if (entry == nullptr) {
      return fail("the image's user '" + std::string(image_user) +
                  "' is not in the image's /etc/passwd");
    }
    user.uid = entry->id;
  }

  if (security.run_as_group) {
    if (*security.run_as_group < 0 || *security.run_as_group > kMaxId)
      return fail("runAsGroup " + std::to_string(*security.run_as_group) + " is out of range");
    user.gid = static_cast<uint32_t>(*security.run_as_group);
  } else if (!security.run_as_user && !image_group.empty()) {
    if (std::optional<uint32_t> gid = ParseId(image_group)) {
      user.gid = *gid;
    } else if (const Entry* g = Find(groups, image_group)) {
      user.gid = g->id;
    } else {
      return fail("the image's group '" + std::string(image_group) +
                  "' is not in the image's /etc/group");
    }
  } else if (entry != nullptr) {
    user.gid = entry->group_id;
  }

  if (security.run_as_non_root.value_or(false) && user.uid == 0) {
    if (security.run_as_user) return fail("runAsNonRoot is set but runAsUser is 0 (root)");
    return fail("runAsNonRoot is set but the image runs as root (uid 0); set runAsUser");
  }

  user.additional_gids.push_back(user.gid);
  if (entry != nullptr) {
    for (const Entry& g : groups) {
      bool member = std::find(g.members.begin(), g.members.end(), entry->name) != g.members.end();
      bool listed = std::find(user.additional_gids.begin(), user.additional_gids.end(), g.id) !=
                    user.additional_gids.end();
      if (member && !listed) user.additional_gids.push_back(g.id);
    }
  }
  return user;
}

}  // namespace i2kit
