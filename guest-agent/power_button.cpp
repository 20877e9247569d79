#include "guest-agent/power_button.h"

#include <fcntl.h>
#include <linux/input.h>
#include <sys/ioctl.h>

#include "guest-agent/file_tree.h"

namespace i2kit {

std::vector<UniqueFd> OpenPowerButtons() {
  std::vector<UniqueFd> buttons;
  Result<std::vector<std::string>> names = ListDirectory("/dev/input");
  if (!names.ok()) return buttons;  // no input devices: no power button
  for (const std::string& name : *names) {
    if (!name.starts_with("event")) continue;
    std::string path = "/dev/input/" + name;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
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
