#include <iostream>

#include "host-cli/command.h"

int main(int argc, char** argv) {
  i2kit::Console console{std::cout, std::cerr};
  return i2kit::RunHostCli(argc, argv, console);
}
