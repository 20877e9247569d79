#include "guest-agent/power_button.h"

#include <fcntl.h>
#include <linux/input.h>
#include <sys/ioctl.h>

#include <filesystem>

namespace i2kit {

std::vector<UniqueFd> OpenPowerButtons() {
  std::vector<UniqueFd> buttons;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/input", ec)) {
    if (entry.path().filename().string().rfind("event", 0) != 0) continue;
    UniqueFd fd(::open(entry.path().c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) continue;
    unsigned long keys[KEY_MAX / (8 * sizeof(unsigned long)) + 1] = {};
    if (::ioctl(fd.get(), EVIOCGBIT(EV_KEY, sizeof keys), keys) < 0) continue;
    constexpr size_t kBits = 8 * sizeof(unsigned long);
    if (keys[KEY_POWER / kBits] & (1UL << (KEY_POWER % kBits))) buttons.push_back(std::move(fd));
  }
  return buttons;
}

bool PowerButtonPressed(int fd) {
  input_event event{};
  bool pressed = false;
  while (::read(fd, &event, sizeof event) == sizeof event) {
    if (event.type == EV_KEY && event.code == KEY_POWER && event.value == 1) pressed = true;
  }
  return pressed;
}

}  // namespace i2kit
