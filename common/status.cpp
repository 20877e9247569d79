#include "common/status.h"

namespace i2kit {

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Error(std::string(context) + ": " + message_);
}

}  // namespace i2kit
