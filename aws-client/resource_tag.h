// A tag on an AWS resource (a snapshot, an image): a key and its value.
#pragma once

#include <string>

namespace i2kit::aws {

struct ResourceTag {
  std::string key;
  std::string value;
};

}  // namespace i2kit::aws
